using System.Text.Json;
using System.Text.RegularExpressions;

namespace Appliance.Hosting.Tests.Docs;

/// <summary>
/// docs/cli.md's "JSON fields per verb" table, read as data: each row names verbs (`users list` / `create` means
/// `users list` and `users create`) and their fields. A field followed by backticked names in parentheses
/// (`update` (`current`, ...)) documents that object's own fields; `(as above)` means the previous row's fields;
/// "; `create` adds `key`" documents a field only that verb has. Parentheses without backticks are prose.
/// </summary>
public sealed partial record CliFieldTable(IReadOnlyDictionary<string, DocumentedFields> Verbs)
{
    public const string Heading = "JSON fields per verb";

    public static CliFieldTable Parse(IEnumerable<string> markdown)
    {
        var verbs = new Dictionary<string, DocumentedFields>(StringComparer.Ordinal);
        var rows = markdown.SkipWhile(l => !l.Contains(Heading, StringComparison.Ordinal))
            .SkipWhile(l => !l.StartsWith('|'))
            .TakeWhile(l => l.StartsWith('|'))
            .Skip(2); // header and separator
        DocumentedFields? previous = null;
        foreach (var row in rows)
        {
            var cells = row.Trim('|').Split(" | ", 2);
            var names = VerbNames(cells[0]);
            var segments = cells[1].Split("; ");
            var fields = ParseFields(segments[0], previous);
            foreach (var name in names)
            {
                var own = fields;
                foreach (var extra in segments.Skip(1).Select(s => Adds().Match(s)).Where(m => m.Success))
                {
                    if (name.EndsWith(" " + extra.Groups["verb"].Value, StringComparison.Ordinal))
                    {
                        own = own with { Names = own.Names.Concat(Ticked(extra.Groups["fields"].Value)).ToList() };
                    }
                }

                verbs[name] = own;
            }

            previous = fields;
        }

        return new CliFieldTable(verbs);
    }

    /// <summary>The documented verb a golden file shows: its name, or the longest verb it starts with ("nodes-expire-at").</summary>
    public string? VerbOfGolden(string goldenName) =>
        Verbs.Keys.Select(v => (Verb: v, File: v.Replace(' ', '-')))
            .Where(v => goldenName == v.File || goldenName.StartsWith(v.File + "-", StringComparison.Ordinal))
            .OrderByDescending(v => v.File.Length)
            .Select(v => v.Verb)
            .FirstOrDefault();

    /// <summary>
    /// What differs between the documented fields and a JSON value (an object, or an array of objects: the union of
    /// their fields), nested objects included where the table lists their fields. Empty when they agree.
    /// </summary>
    public static IReadOnlyList<string> Compare(DocumentedFields documented, JsonElement json, string path = "")
    {
        var objects = json.ValueKind == JsonValueKind.Array ? json.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).ToList()
            : json.ValueKind == JsonValueKind.Object ? [json] : [];
        if (objects.Count == 0)
        {
            return [];
        }

        var present = objects.SelectMany(o => o.EnumerateObject().Select(p => p.Name)).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        problems.AddRange(documented.Names.Where(n => !present.Contains(n)).Select(n => $"{path}{n}: documented but not in the output"));
        problems.AddRange(present.Where(n => !documented.Names.Contains(n)).Order(StringComparer.Ordinal).Select(n => $"{path}{n}: in the output but not documented"));
        foreach (var (name, nested) in documented.Nested)
        {
            foreach (var value in objects.Where(o => o.TryGetProperty(name, out _)).Select(o => o.GetProperty(name)))
            {
                problems.AddRange(Compare(nested, value, path + name + "."));
            }
        }

        return problems.Distinct().ToList();
    }

    private static List<string> VerbNames(string cell)
    {
        var parts = Ticked(cell);
        var group = parts[0].Split(' ')[0];
        return [parts[0], .. parts.Skip(1).Select(p => group + " " + p)];
    }

    private static DocumentedFields ParseFields(string cell, DocumentedFields? previous)
    {
        var names = new List<string>();
        var nested = new Dictionary<string, DocumentedFields>(StringComparer.Ordinal);
        foreach (Match m in FieldWithDetail().Matches(cell))
        {
            var name = m.Groups["name"].Value;
            names.Add(name);
            var detail = m.Groups["detail"].Value;
            if (detail.Contains("as above", StringComparison.Ordinal) && previous is not null)
            {
                nested[name] = previous;
            }
            else if (detail.Contains('`', StringComparison.Ordinal))
            {
                nested[name] = new DocumentedFields(Ticked(detail), new Dictionary<string, DocumentedFields>());
            }
        }

        return new DocumentedFields(names, nested);
    }

    private static List<string> Ticked(string text) => [.. TickedName().Matches(text).Select(m => m.Groups[1].Value)];

    /// <summary>`name` optionally followed by " (...)"; the parenthesis is the field's detail.</summary>
    [GeneratedRegex(@"`(?<name>[^`]+)`(?:\s*\((?<detail>[^)]*)\))?")]
    private static partial Regex FieldWithDetail();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex TickedName();

    [GeneratedRegex(@"^`(?<verb>[^`]+)` adds (?<fields>.*)$")]
    private static partial Regex Adds();
}

/// <summary>A verb's documented fields, and the fields of those that are objects where the table lists them.</summary>
public sealed record DocumentedFields(IReadOnlyList<string> Names, IReadOnlyDictionary<string, DocumentedFields> Nested);
