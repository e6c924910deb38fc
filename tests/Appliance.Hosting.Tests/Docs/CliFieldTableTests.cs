using System.Text.Json;
using System.Text.RegularExpressions;
using Appliance.TestKit;

namespace Appliance.Hosting.Tests.Docs;

/// <summary>
/// docs/cli.md's JSON field table against the golden outputs (Cli/Golden, written by GoldenOutputTests from the real
/// verbs): every field the table documents for a verb is in that verb's `-o json` output, and every field the output
/// has is documented, nested objects included where the table lists their fields.
/// </summary>
public sealed partial class CliFieldTableTests
{
    private static readonly string GoldenFolder = Path.Combine(RepoPaths.RepoRoot, "tests", "Appliance.Hosting.Tests", "Cli", "Golden");

    private static CliFieldTable Table() => CliFieldTable.Parse(File.ReadAllLines(Path.Combine(RepoPaths.RepoRoot, "docs", "cli.md")));

    public static TheoryData<string> Goldens => new(Directory.GetFiles(GoldenFolder, "*.txt").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Goldens))]
    public void The_documented_fields_are_the_fields_the_verb_prints(string golden)
    {
        var table = Table();
        var verb = table.VerbOfGolden(golden);
        Assert.True(verb is not null, $"docs/cli.md's table \"{CliFieldTable.Heading}\" has no row for the verb of Golden/{golden}.txt");
        var documented = table.Verbs[verb!];
        if (verb == "config show")
        {
            // Documented as "every section and key": DocumentedConfigKeysTests checks those against the schema.
            Assert.Empty(documented.Names);
            return;
        }

        using var json = JsonDocument.Parse(JsonSection(File.ReadAllText(Path.Combine(GoldenFolder, golden + ".txt"))));
        var problems = CliFieldTable.Compare(documented, json.RootElement);

        Assert.True(problems.Count == 0, $"docs/cli.md `{verb}` vs Golden/{golden}.txt:\n" + string.Join('\n', problems));
    }

    [Fact]
    public void The_table_names_the_verbs_and_reads_nested_and_verb_only_fields()
    {
        var table = Table();

        Assert.Contains("users create", table.Verbs.Keys);
        Assert.Contains("update rollback", table.Verbs.Keys);
        Assert.Contains("key", table.Verbs["preauthkeys create"].Names);
        Assert.DoesNotContain("key", table.Verbs["preauthkeys list"].Names);
        Assert.Contains("otpAuthUri", table.Verbs["users totp enroll"].Names);
        Assert.Equal(["online", "total", "problem"], table.Verbs["status"].Nested["nodes"].Names);
        Assert.Contains("displayName", table.Verbs["users delete"].Nested["user"].Names);
    }

    [Fact]
    public void A_field_missing_from_either_side_is_reported()
    {
        var table = CliFieldTable.Parse(
        [
            "## " + CliFieldTable.Heading,
            "| verb | fields |",
            "| --- | --- |",
            "| `things list` / `create` | `id`, `name`, `owner` (`login`, `role`) (list: an array of these); `create` adds `secret` |",
        ]);
        using var json = JsonDocument.Parse("""[{"id": 1, "owner": {"login": "a", "since": "x"}, "extra": true}]""");

        var problems = CliFieldTable.Compare(table.Verbs["things list"], json.RootElement);

        Assert.Equal(
            ["name: documented but not in the output", "extra: in the output but not documented", "owner.role: documented but not in the output", "owner.since: in the output but not documented"],
            problems);
        Assert.Equal("things create", table.VerbOfGolden("things-create-twice"));
        Assert.Contains("secret", table.Verbs["things create"].Names);
    }

    /// <summary>
    /// The "## -o json" section of a golden file (the header may follow table output that has no final newline), with
    /// unquoted placeholders such as &lt;BYTES&gt; read as 0.
    /// </summary>
    private static string JsonSection(string text)
    {
        var header = text.IndexOf("## -o json (", StringComparison.Ordinal);
        Assert.True(header >= 0, "the golden file has no -o json section");
        var start = text.IndexOf('\n', header) + 1;
        var end = text.IndexOf("\n## ", start, StringComparison.Ordinal);
        return Placeholder().Replace(text[start..(end < 0 ? text.Length : end)], "0");
    }

    [GeneratedRegex(@"(?<=[:\[,]\s*)<[A-Z][A-Z0-9 ]*>")]
    private static partial Regex Placeholder();
}
