using System.Text.Json;
using Appliance.Protocol.Control;

namespace Appliance.TestKit.Control;

/// <summary>
/// Compares two JSON documents as the Go decoder would see them: object member order is ignored, numbers compare
/// by value, and RFC 3339 times compare as instants at .NET's 100 ns resolution (Go sends nanoseconds).
/// Returns the path of the first difference, or null when equal.
/// </summary>
public static class JsonSemantics
{
    public static string? FirstDifference(string expected, string actual)
    {
        using var a = JsonDocument.Parse(expected);
        using var b = JsonDocument.Parse(actual);
        return Diff(a.RootElement, b.RootElement, "$");
    }

    private static string? Diff(JsonElement a, JsonElement b, string path)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return $"{path}: {a.ValueKind} {Short(a)} vs {b.ValueKind} {Short(b)}";
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var bProps = b.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
                foreach (var p in a.EnumerateObject())
                {
                    if (!bProps.Remove(p.Name, out var other))
                    {
                        return $"{path}.{p.Name}: missing in actual";
                    }

                    if (Diff(p.Value, other, path + "." + p.Name) is { } d)
                    {
                        return d;
                    }
                }

                return bProps.Count == 0 ? null : $"{path}.{bProps.Keys.First()}: unexpected in actual";
            case JsonValueKind.Array:
                var aa = a.EnumerateArray().ToList();
                var bb = b.EnumerateArray().ToList();
                if (aa.Count != bb.Count)
                {
                    return $"{path}: {aa.Count} vs {bb.Count} elements";
                }

                for (var i = 0; i < aa.Count; i++)
                {
                    if (Diff(aa[i], bb[i], $"{path}[{i}]") is { } d)
                    {
                        return d;
                    }
                }

                return null;
            case JsonValueKind.Number:
                return a.GetDecimal() == b.GetDecimal() ? null : $"{path}: {a} vs {b}";
            case JsonValueKind.String:
                var sa = a.GetString()!;
                var sb = b.GetString()!;
                if (sa == sb)
                {
                    return null;
                }

                if (GoTimeJsonConverter.TryParse(sa, out var ta) && GoTimeJsonConverter.TryParse(sb, out var tb) && ta == tb)
                {
                    return null;
                }

                return $"{path}: \"{sa}\" vs \"{sb}\"";
            default:
                return null;
        }
    }

    private static string Short(JsonElement e)
    {
        var text = e.GetRawText();
        return text.Length > 60 ? text[..60] + "…" : text;
    }
}
