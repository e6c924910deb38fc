using Appliance.Hosting.Identity;

namespace Appliance.Hosting.Tests.Identity;

/// <summary>
/// Surgical edits of the identity file: only the changed value's characters change (or one member is added), every
/// comment, trailing comma and untouched byte stays, and an edit that would not validate is refused.
/// </summary>
public sealed class IdentityTextEditTests
{
    private const string Hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";

    internal const string Commented = """
        /* Site identity file: reviewed by the security officer, 2026-11. */
        {
          // People who may log in.
          "people": [
            // Alice runs the network.
            {
              "login": "alice@site",   // as policies write it
              "display_name": "Alice", /* shown on the page */
              "groups": ["ops",],       // trailing comma kept
              "role": "admin",          // reviewed
            },
            {"login": "bob@site", "disabled": false}, // inline entry
            {
              "login": "carol@site"     // no trailing comma here
              // a comment before the closing brace
            },
          ],
        }
        """;

    [Fact]
    public void Replacing_a_value_changes_only_its_characters()
    {
        var edited = IdentityTextEdit.Apply(Commented, "bob@site", Person(Commented, "bob@site") with { Disabled = true });

        Assert.Equal(Commented.Replace("\"disabled\": false}", "\"disabled\": true}", StringComparison.Ordinal), edited);
    }

    [Fact]
    public void A_new_member_goes_on_its_own_line_indented_like_the_last_with_the_files_trailing_comma_style()
    {
        var edited = IdentityTextEdit.Apply(Commented, "alice@site", Person(Commented, "alice@site") with { PasswordHash = Hash });

        var expected = Commented.Replace(
            "      \"role\": \"admin\",          // reviewed\n",
            "      \"role\": \"admin\",          // reviewed\n      \"password\": \"" + Hash + "\",\n",
            StringComparison.Ordinal);
        Assert.Equal(expected, edited);
        Assert.Equal(Hash, IdentityFileParser.Parse(edited).Find("alice@site")!.PasswordHash);
    }

    [Fact]
    public void Without_a_trailing_comma_the_last_member_gets_one_and_its_comment_stays_on_its_line()
    {
        var edited = IdentityTextEdit.Apply(Commented, "carol@site", Person(Commented, "carol@site") with { TotpSecret = "JBSWY3DPEHPK3PXPJBSWY3DP" });

        var expected = Commented.Replace(
            "      \"login\": \"carol@site\"     // no trailing comma here\n",
            "      \"login\": \"carol@site\",     // no trailing comma here\n      \"totp\": \"JBSWY3DPEHPK3PXPJBSWY3DP\"\n",
            StringComparison.Ordinal);
        Assert.Equal(expected, edited);
    }

    [Fact]
    public void A_one_line_entry_gets_the_new_member_inline_before_its_closing_brace()
    {
        var edited = IdentityTextEdit.Apply(Commented, "bob@site", Person(Commented, "bob@site") with { TotpSecret = "JBSWY3DPEHPK3PXPJBSWY3DP" });

        Assert.Equal(
            Commented.Replace("\"disabled\": false}", "\"disabled\": false, \"totp\": \"JBSWY3DPEHPK3PXPJBSWY3DP\"}", StringComparison.Ordinal),
            edited);
    }

    [Fact]
    public void Every_comment_survives_a_sequence_of_edits_and_the_result_still_parses_to_the_intended_people()
    {
        var text = Commented;
        text = IdentityTextEdit.Apply(text, "alice@site", Person(text, "alice@site") with { PasswordHash = Hash, TotpSecret = "JBSWY3DPEHPK3PXPJBSWY3DP" });
        text = IdentityTextEdit.Apply(text, "alice@site", Person(text, "alice@site") with { TotpSecret = "KRSXG5CTMVRXEZLUKRSXG5CT", Disabled = true });
        text = IdentityTextEdit.Apply(text, "carol@site", Person(text, "carol@site") with { Disabled = true, ClientCertificate = "CN=carol@site, O=Appliance" });
        text = IdentityTextEdit.Apply(text, "bob@site", Person(text, "bob@site") with { Disabled = true });

        foreach (var comment in Comments(Commented))
        {
            Assert.Contains(comment, text, StringComparison.Ordinal);
        }

        var document = IdentityFileParser.Parse(text);
        Assert.Equal(("KRSXG5CTMVRXEZLUKRSXG5CT", true, Hash), (document.Find("alice@site")!.TotpSecret, document.Find("alice@site")!.Disabled, document.Find("alice@site")!.PasswordHash));
        Assert.Equal("CN=carol@site, O=Appliance", document.Find("carol@site")!.ClientCertificate);
        Assert.True(document.People.All(p => p.Disabled));
        Assert.Equal(["ops"], document.Find("alice@site")!.Groups);
    }

    [Fact]
    public void Windows_line_endings_are_kept()
    {
        var crlf = Commented.Replace("\n", "\r\n", StringComparison.Ordinal);

        var edited = IdentityTextEdit.Apply(crlf, "alice@site", Person(crlf, "alice@site") with { PasswordHash = Hash });

        Assert.DoesNotContain("\n", edited.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(Hash, IdentityFileParser.Parse(edited).Find("alice@site")!.PasswordHash);
    }

    [Fact]
    public void Values_that_need_escaping_are_written_as_valid_json()
    {
        var edited = IdentityTextEdit.Apply(Commented, "bob@site", Person(Commented, "bob@site") with { ClientCertificate = "CN=\"Bob\\Smith\", O=Site" });

        Assert.Equal("CN=\"Bob\\Smith\", O=Site", IdentityFileParser.Parse(edited).Find("bob@site")!.ClientCertificate);
    }

    [Fact]
    public void An_edit_that_would_not_validate_is_refused_and_an_unknown_person_is_not_found()
    {
        Assert.Throws<IdentityFileException>(() =>
            IdentityTextEdit.Apply(Commented, "bob@site", Person(Commented, "bob@site") with { Role = "emperor" }));
        Assert.Throws<KeyNotFoundException>(() =>
            IdentityTextEdit.Apply(Commented, "mallory@site", Person(Commented, "bob@site") with { Login = "mallory@site" }));
    }

    [Fact]
    public void Edit_writes_atomically_with_a_backup_and_a_broken_file_is_never_replaced()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "identity.hujson");
        File.WriteAllText(path, Commented);

        IdentityFileWriter.Edit(path, "bob@site", p => p with { Disabled = true });

        Assert.Equal(Commented, File.ReadAllText(path + IdentityFileWriter.BackupSuffix));
        Assert.Equal(Commented.Replace("\"disabled\": false}", "\"disabled\": true}", StringComparison.Ordinal), File.ReadAllText(path));

        var broken = Commented.Replace("\"role\": \"admin\"", "\"role\": \"admin\" \"x\"", StringComparison.Ordinal);
        File.WriteAllText(path, broken);
        Assert.Throws<IdentityFileException>(() => IdentityFileWriter.Edit(path, "bob@site", p => p with { Disabled = false }));
        Assert.Equal(broken, File.ReadAllText(path));
        Assert.Equal(Commented, File.ReadAllText(path + IdentityFileWriter.BackupSuffix));
        Assert.Equal(2, Directory.GetFiles(folder.Path).Length);
    }

    private static Person Person(string text, string login) => IdentityFileParser.Parse(text).Find(login)!;

    private static IEnumerable<string> Comments(string text) =>
        text.Split('\n').SelectMany(line =>
        {
            var at = line.IndexOf("//", StringComparison.Ordinal);
            var block = line.IndexOf("/*", StringComparison.Ordinal);
            return new[] { at >= 0 ? line[at..] : null, block >= 0 ? line[block..(line.IndexOf("*/", StringComparison.Ordinal) + 2)] : null }.OfType<string>();
        });
}
