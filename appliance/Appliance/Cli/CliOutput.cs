using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Appliance.Cli;

/// <summary>
/// How operator commands print: a table for people; JSON (indented), JSON on one line, or YAML for scripts. The
/// machine formats carry the same camelCase fields as the admin API (docs/cli.md lists them per verb).
/// </summary>
public enum OutputFormat
{
    Table,
    Json,
    JsonLine,
    Yaml,
}

/// <summary>The `-o/--output` option and the writers behind it: the one output contract of every verb.</summary>
public static class CliOutput
{
    public const string OptionName = "--output";

    /// <summary>The spellings `-o` accepts, as Headscale spells them (cmd/headscale/cli/utils.go: json, json-line, yaml).</summary>
    public static readonly IReadOnlyDictionary<string, OutputFormat> Names = new Dictionary<string, OutputFormat>(StringComparer.OrdinalIgnoreCase)
    {
        ["table"] = OutputFormat.Table,
        ["json"] = OutputFormat.Json,
        ["json-line"] = OutputFormat.JsonLine,
        ["yaml"] = OutputFormat.Yaml,
    };

    public static Option<OutputFormat> CreateOption()
    {
        var option = new Option<OutputFormat>(OptionName, "-o")
        {
            Description = "Output format: table, json, json-line or yaml.",
            // No DefaultValueFactory: help would print the enum member ("[default: Table]"); unset reads as Table (0).
            HelpName = "table|json|json-line|yaml",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (Names.TryGetValue(text, out var format))
                {
                    return format;
                }

                result.AddError($"'{text}' is not an output format: use table, json, json-line or yaml.");
                return OutputFormat.Table;
            },
        };
        // The enum's own member names (Json, JsonLine) are not what -o accepts: offer the spellings instead.
        option.CompletionSources.Clear();
        option.CompletionSources.Add(Names.Keys.ToArray());
        return option;
    }

    /// <summary>Adds `-o` to a verb that prints its own result (not through the admin API).</summary>
    public static Command WithOutputOption(this Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(CreateOption());
        return command;
    }

    public static OutputFormat FormatOf(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.GetValue<OutputFormat>(OptionName);
    }

    /// <summary>Prints a value as JSON, JSON on one line, YAML, or the table <paramref name="table"/> builds.</summary>
    public static void Write<T>(TextWriter output, OutputFormat format, T value, JsonTypeInfo<T> typeInfo, Func<T, TextTable> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        Write(output, format, value, typeInfo, o => table(value).Write(o));
    }

    /// <summary>As above, for verbs whose human form is text rather than a table.</summary>
    public static void Write<T>(TextWriter output, OutputFormat format, T value, JsonTypeInfo<T> typeInfo, Action<TextWriter> text)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(text);
        if (format == OutputFormat.Table)
        {
            text(output);
            return;
        }

        var element = JsonSerializer.SerializeToElement(value, typeInfo);
        WriteMachine(output, format, element);
    }

    /// <summary>Writes an already-built JSON value in a machine format (json, json-line, yaml).</summary>
    public static void WriteMachine(TextWriter output, OutputFormat format, JsonElement element)
    {
        ArgumentNullException.ThrowIfNull(output);
        switch (format)
        {
            case OutputFormat.Yaml:
                YamlOutput.Write(element, output);
                break;
            default:
                output.WriteLine(JsonOutput.Format(element, indented: format == OutputFormat.Json));
                break;
        }
    }

    /// <summary>Times in tables: UTC, to the second.</summary>
    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-";

    public static string YesNo(bool value) => value ? "yes" : "no";

    public static string List(IEnumerable<string> values) => string.Join(',', values) is { Length: > 0 } text ? text : "-";
}
