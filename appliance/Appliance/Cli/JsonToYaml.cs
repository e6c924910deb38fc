using System.Text.Json;

namespace Appliance.Cli;

/// <summary>
/// Writes a JSON value as block-style YAML. Scalars keep their JSON spelling: a JSON string is a valid YAML
/// double-quoted scalar, and numbers, booleans and null read the same in both, so no value changes meaning.
/// </summary>
public static class JsonToYaml
{
    public static void Write(JsonElement element, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (IsBlock(element))
        {
            WriteBlock(element, 0, output);
        }
        else
        {
            output.WriteLine(Scalar(element));
        }
    }

    private static void WriteBlock(JsonElement element, int indent, TextWriter output)
    {
        var pad = new string(' ', indent);
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                output.Write(pad);
                output.Write(property.Name);
                output.Write(':');
                WriteNested(property.Value, indent, output);
            }

            return;
        }

        foreach (var item in element.EnumerateArray())
        {
            output.Write(pad);
            output.Write('-');
            WriteNested(item, indent, output);
        }
    }

    private static void WriteNested(JsonElement value, int indent, TextWriter output)
    {
        if (IsBlock(value))
        {
            output.WriteLine();
            WriteBlock(value, indent + 2, output);
        }
        else
        {
            output.Write(' ');
            output.WriteLine(Scalar(value));
        }
    }

    private static bool IsBlock(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Any(),
        JsonValueKind.Array => element.GetArrayLength() > 0,
        _ => false,
    };

    private static string Scalar(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{}",
        JsonValueKind.Array => "[]",
        _ => element.GetRawText(),
    };
}
