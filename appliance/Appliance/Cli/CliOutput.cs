using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Appliance.Cli;

/// <summary>How operator commands print: a table for people, JSON or YAML (same fields as the admin API) for scripts.</summary>
public enum OutputFormat
{
    Table,
    Json,
    Yaml,
}

/// <summary>The `-o/--output` option and the writers behind it.</summary>
public static class CliOutput
{
    public const string OptionName = "--output";

    public static Option<OutputFormat> CreateOption() => new(OptionName, "-o")
    {
        Description = "Output format: table, json or yaml.",
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    public static OutputFormat FormatOf(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.GetValue<OutputFormat>(OptionName);
    }

    /// <summary>Prints a value as JSON, YAML, or the table <paramref name="table"/> builds.</summary>
    public static void Write<T>(TextWriter output, OutputFormat format, T value, JsonTypeInfo<T> typeInfo, Func<T, TextTable> table)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(table);
        switch (format)
        {
            case OutputFormat.Json:
                output.WriteLine(JsonSerializer.Serialize(value, typeInfo));
                break;
            case OutputFormat.Yaml:
                using (var document = JsonSerializer.SerializeToDocument(value, typeInfo))
                {
                    JsonToYaml.Write(document.RootElement, output);
                }

                break;
            default:
                table(value).Write(output);
                break;
        }
    }

    /// <summary>Times in tables: UTC, to the second.</summary>
    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-";

    public static string YesNo(bool value) => value ? "yes" : "no";

    public static string List(IEnumerable<string> values) => string.Join(',', values) is { Length: > 0 } text ? text : "-";
}
