using System.Text;
using System.Text.Json;

namespace Appliance.Conformance.Saas;

/// <summary>JSON text with object keys sorted, so equal values compare equal as strings.</summary>
public static class CanonicalJson
{
    public static string Of(JsonElement e, bool dropDefaults = false)
    {
        var sb = new StringBuilder();
        Write(sb, e, dropDefaults);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonElement e, bool dropDefaults)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                var first = true;
                foreach (var p in e.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (dropDefaults && IsDefault(p.Value))
                    {
                        continue;
                    }

                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    sb.Append(JsonSerializer.Serialize(p.Name)).Append(':');
                    Write(sb, p.Value, dropDefaults);
                }

                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    if (i++ > 0)
                    {
                        sb.Append(',');
                    }

                    Write(sb, item, dropDefaults);
                }

                sb.Append(']');
                break;
            case JsonValueKind.String:
                // Re-encode so equal strings compare equal however the producer escaped them.
                sb.Append(JsonSerializer.Serialize(e.GetString()));
                break;
            default:
                sb.Append(e.GetRawText());
                break;
        }
    }

    private static bool IsDefault(JsonElement e) =>
        e.ValueKind is JsonValueKind.Null or JsonValueKind.False
        || (e.ValueKind == JsonValueKind.String && e.GetString()!.Length == 0)
        || (e.ValueKind == JsonValueKind.Number && e.GetRawText() == "0")
        || (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 0);
}
