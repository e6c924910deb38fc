using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Appliance.Cli;
using Appliance.Hosting.Identity;
using Appliance.Hosting.Tests.Admin;
using Appliance.Hosting.Tests.Identity;
using Appliance.Pki.Authority;
using Appliance.Pki.Clients;
using Appliance.State.Identity;
using Appliance.Storage.Database;
using Appliance.Storage.Files;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>
/// `appliance users passwd|totp enroll|disable|enable` end to end on a temporary identity file and data folder with
/// no service running: the file is rewritten atomically with a backup, and the database follows (direct mode).
/// </summary>
[Collection(StdinGroup.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class IdentityCliTests
{
    private const string Start = """
        {
          // the site's people
          "people": [
            { "login": "alice@site", "display_name": "Alice", "groups": ["ops"], "role": "admin" },
            { "login": "bob@site" },
          ],
        }
        """;

    [Fact]
    public async Task Passwd_from_stdin_writes_an_Argon2id_hash_and_keeps_a_backup()
    {
        using var f = new Files();

        var result = await WithStdin("correct horse battery staple\n", () => CliRun.RunAsync(f.Args("users", "passwd", "alice@site", "--stdin")));

        Assert.True(result.ExitCode == 0, result.Error);
        var alice = IdentityFileParser.Parse(File.ReadAllText(f.Identity)).Find("alice@site")!;
        Assert.True(PasswordHasher.Verify("correct horse battery staple", alice.PasswordHash!));
        Assert.False(PasswordHasher.Verify("wrong horse battery staple", alice.PasswordHash!));
        Assert.Equal(["ops"], alice.Groups);
        Assert.Equal("admin", alice.Role);
        Assert.Equal(Start, File.ReadAllText(f.Identity + IdentityFileWriter.BackupSuffix));
        Assert.DoesNotContain("correct horse", File.ReadAllText(f.Identity), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f.Identity));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(f.Identity)!, "*.tmp"));
        Assert.Contains("alice@site", result.Out, StringComparison.Ordinal);

        // The database followed (direct mode): both people exist as users.
        using var directory = DataDirectory.Open(f.DataDir);
        using var database = ApplianceDatabase.Open(directory, TimeProvider.System);
        var identity = new IdentityService(database, TimeProvider.System);
        Assert.NotNull(identity.FindUser("alice@site"));
        Assert.NotNull(identity.FindUser("bob@site"));
    }

    [Fact]
    public async Task Passwd_refuses_a_short_or_missing_password_and_an_unknown_person_without_touching_the_file()
    {
        using var f = new Files();

        var shortOne = await WithStdin("short\n", () => CliRun.RunAsync(f.Args("users", "passwd", "alice@site", "--stdin")));
        var empty = await WithStdin("", () => CliRun.RunAsync(f.Args("users", "passwd", "alice@site", "--stdin")));
        var unknown = await WithStdin("long enough password\n", () => CliRun.RunAsync(f.Args("users", "passwd", "mallory@site", "--stdin")));

        Assert.Equal(1, shortOne.ExitCode);
        Assert.Contains("8 to", shortOne.Error, StringComparison.Ordinal);
        Assert.Equal(1, empty.ExitCode);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no person 'mallory@site'", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(Start, File.ReadAllText(f.Identity));
        Assert.False(File.Exists(f.Identity + IdentityFileWriter.BackupSuffix));
    }

    [Fact]
    public async Task Totp_enroll_prints_the_uri_and_a_QR_code_and_the_secret_in_the_file_makes_matching_codes()
    {
        using var f = new Files();

        var table = await CliRun.RunAsync(f.Args("users", "totp", "enroll", "bob@site"));
        var json = await CliRun.RunAsync(f.Args("users", "totp", "enroll", "alice@site", "--issuer", "Site VPN", "-o", "json"));

        Assert.True(table.ExitCode == 0, table.Error);
        var bob = IdentityFileParser.Parse(File.ReadAllText(f.Identity)).Find("bob@site")!;
        Assert.NotNull(bob.TotpSecret);
        Assert.Contains($"otpauth://totp/Appliance:bob%40site?secret={bob.TotpSecret}", table.Out, StringComparison.Ordinal);
        Assert.Contains("█", table.Out, StringComparison.Ordinal); // the terminal QR code's half blocks
        var now = DateTimeOffset.UtcNow;
        Assert.NotNull(TotpSecret.Match(bob.TotpSecret!, TotpSecret.Code(bob.TotpSecret!, now), now));

        Assert.True(json.ExitCode == 0, json.Error);
        using var document = JsonDocument.Parse(json.Out);
        var alice = IdentityFileParser.Parse(File.ReadAllText(f.Identity)).Find("alice@site")!;
        Assert.Equal(TotpSecret.OtpAuthUri("Site VPN", "alice@site", alice.TotpSecret!), document.RootElement.GetProperty("otpAuthUri").GetString());
        Assert.True(document.RootElement.GetProperty("hasTotp").GetBoolean());
        Assert.Equal(bob.TotpSecret, IdentityFileParser.Parse(File.ReadAllText(f.Identity)).Find("bob@site")!.TotpSecret);
    }

    [Fact]
    public async Task Disable_and_enable_change_the_file_and_the_users_table()
    {
        using var f = new Files();

        var disabled = await CliRun.RunAsync(f.Args("users", "disable", "bob@site", "-o", "json"));
        Assert.True(disabled.ExitCode == 0, disabled.Error);
        Assert.True(IdentityFileParser.Parse(File.ReadAllText(f.Identity)).Find("bob@site")!.Disabled);
        Assert.True(UserDisabled(f, "bob@site"));
        Assert.False(UserDisabled(f, "alice@site"));

        var enabled = await CliRun.RunAsync(f.Args("users", "enable", "bob@site"));
        Assert.True(enabled.ExitCode == 0, enabled.Error);
        Assert.False(IdentityFileParser.Parse(File.ReadAllText(f.Identity)).Find("bob@site")!.Disabled);
        Assert.False(UserDisabled(f, "bob@site"));
    }

    [Fact]
    public async Task The_verbs_keep_every_comment_and_every_untouched_byte_of_a_commented_file()
    {
        using var f = new Files();
        var original = IdentityTextEditTests.Commented;
        File.WriteAllText(f.Identity, original);

        var passwd = await WithStdin("correct horse battery staple\n", () => CliRun.RunAsync(f.Args("users", "passwd", "alice@site", "--stdin")));
        var disable = await CliRun.RunAsync(f.Args("users", "disable", "bob@site"));

        Assert.True(passwd.ExitCode == 0, passwd.Error);
        Assert.True(disable.ExitCode == 0, disable.Error);
        var text = File.ReadAllText(f.Identity);
        var hash = IdentityFileParser.Parse(text).Find("alice@site")!.PasswordHash!;
        var expected = original
            .Replace("      \"role\": \"admin\",          // reviewed\n", "      \"role\": \"admin\",          // reviewed\n      \"password\": \"" + hash + "\",\n", StringComparison.Ordinal)
            .Replace("\"disabled\": false}", "\"disabled\": true}", StringComparison.Ordinal);
        Assert.Equal(expected, text);
        Assert.True(PasswordHasher.Verify("correct horse battery staple", hash));
        Assert.Contains("// inline entry", File.ReadAllText(f.Identity + IdentityFileWriter.BackupSuffix), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cert_issue_writes_a_pkcs12_for_the_browser_links_the_person_and_revoke_makes_it_refused()
    {
        using var f = new Files();
        using (LocalCa.Initialise(f.DataDir, new LocalCaOptions { DnsNames = ["localhost"], IpAddresses = [] }, TimeProvider.System))
        {
        }

        var p12 = Path.Combine(Path.GetDirectoryName(f.Identity)!, "alice.p12");
        var issued = await CliRun.RunAsync(f.Args("users", "cert", "issue", "alice@site", "--out", p12, "-o", "json"));
        var unknown = await CliRun.RunAsync(f.Args("users", "cert", "issue", "mallory@site", "--out", p12 + ".pem"));

        Assert.True(issued.ExitCode == 0, issued.Error);
        using var json = JsonDocument.Parse(issued.Out);
        using var certificate = X509CertificateLoader.LoadPkcs12FromFile(p12, json.RootElement.GetProperty("importPassword").GetString());
        Assert.True(certificate.HasPrivateKey);
        Assert.Contains("CN=alice@site", certificate.Subject, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(p12));
        Assert.Equal(ClientCertificateVerdict.Accepted, ClientCertificateVerifier.Verify(f.DataDir, certificate, DateTimeOffset.UtcNow));

        // The person's client_certificate field was empty: it now names the subject, and the file kept its comment.
        var text = File.ReadAllText(f.Identity);
        Assert.Equal(certificate.Subject, IdentityFileParser.Parse(text).Find("alice@site")!.ClientCertificate);
        Assert.Contains("// the site's people", text, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no person 'mallory@site'", unknown.Error, StringComparison.Ordinal);

        var revoked = await CliRun.RunAsync(f.Args("users", "cert", "revoke", "alice@site"));
        Assert.True(revoked.ExitCode == 0, revoked.Error);
        Assert.Contains("Revoked 1 certificate", revoked.Out, StringComparison.Ordinal);
        Assert.Equal(ClientCertificateVerdict.Revoked, ClientCertificateVerifier.Verify(f.DataDir, certificate, DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task A_broken_identity_file_is_never_replaced_and_its_position_is_reported()
    {
        using var f = new Files();
        const string broken = "{ \"people\": [ { \"login\": \"alice@site\", \"role\": \"emperor\" } ] }";
        File.WriteAllText(f.Identity, broken);

        var result = await CliRun.RunAsync(f.Args("users", "disable", "alice@site"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("1:", result.Error, StringComparison.Ordinal);
        Assert.Contains("emperor", result.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", result.Error, StringComparison.Ordinal);
        Assert.Equal(broken, File.ReadAllText(f.Identity));
        Assert.False(File.Exists(f.Identity + IdentityFileWriter.BackupSuffix));
    }

    [Fact]
    public void Replace_refuses_a_document_that_does_not_validate_and_keeps_the_good_file()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "identity.hujson");
        IdentityFileWriter.Replace(path, Start);

        Assert.Throws<IdentityFileException>(() => IdentityFileWriter.Replace(path, Start.Replace("\"bob@site\"", "\"bob\"", StringComparison.Ordinal)));
        Assert.Throws<IdentityFileException>(() => IdentityFileWriter.Replace(path, Start[..40]));

        Assert.Equal(Start, File.ReadAllText(path));
        Assert.False(File.Exists(path + IdentityFileWriter.BackupSuffix));
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public async Task Auth_reject_needs_the_running_service()
    {
        using var f = new Files();
        var result = await CliRun.RunAsync("auth", "reject", "abc", "--data-dir", f.DataDir);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the service is not running", result.Error, StringComparison.Ordinal);
    }

    private static bool UserDisabled(Files f, string name)
    {
        using var directory = DataDirectory.Open(f.DataDir);
        using var database = ApplianceDatabase.Open(directory, TimeProvider.System);
        return new IdentityService(database, TimeProvider.System).FindUser(name)!.Disabled;
    }

    internal static async Task<CliResult> WithStdin(string input, Func<Task<CliResult>> run)
    {
        var previous = Console.In;
        Console.SetIn(new StringReader(input));
        try
        {
            return await run();
        }
        finally
        {
            Console.SetIn(previous);
        }
    }

    /// <summary>A data folder, an identity file and a config naming it.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private sealed class Files : IDisposable
    {
        private readonly AdminTestFolder _folder = new();

        public Files()
        {
            Identity = Path.Combine(_folder.Path, "etc", "identity.hujson");
            Directory.CreateDirectory(Path.GetDirectoryName(Identity)!);
            File.WriteAllText(Identity, Start);
            File.SetUnixFileMode(Identity, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Config = Path.Combine(_folder.Path, "etc", "appliance.yaml");
            File.WriteAllText(Config, $"identity:\n  file: {Identity}\n");
        }

        public string Identity { get; }

        public string Config { get; }

        public string DataDir => _folder.DataDir;

        public string[] Args(params string[] verb) => [.. verb, "--config", Config, "--data-dir", DataDir];

        public void Dispose() => _folder.Dispose();
    }
}

/// <summary>Tests that swap Console.In run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class StdinGroup
{
    public const string Name = "stdin";
}
