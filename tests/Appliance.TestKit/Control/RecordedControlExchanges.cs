using System.Text.Json;

namespace Appliance.TestKit.Control;

/// <summary>
/// The control exchanges of a real v1.96.5 client recorded in ../shared/conformance/real-client/http2
/// (README there): every request/response body and every map-stream message, read in place.
/// </summary>
public static class RecordedControlExchanges
{
    public static string Http2Dir => RepoPaths.RealClientPath("http2");

    public static IEnumerable<string> SessionFiles =>
        Directory.EnumerateFiles(Http2Dir, "session-*.json").Order(StringComparer.Ordinal);

    public static IReadOnlyList<RecordedExchange> Streams() => Cached.Value;

    private static readonly Lazy<IReadOnlyList<RecordedExchange>> Cached = new(Load);

    private static List<RecordedExchange> Load()
    {
        var result = new List<RecordedExchange>();
        foreach (var file in SessionFiles)
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var stream in doc.RootElement.GetProperty("streams").EnumerateArray())
            {
                var request = stream.GetProperty("request");
                var response = stream.GetProperty("response");
                var messages = new List<RecordedMapMessage>();
                if (response.TryGetProperty("map_messages", out var mm) && mm.ValueKind == JsonValueKind.Array)
                {
                    foreach (var m in mm.EnumerateArray())
                    {
                        messages.Add(new RecordedMapMessage(
                            Convert.FromHexString(m.GetProperty("length_prefix_le").GetString()!),
                            Convert.FromHexString(m.GetProperty("zstd_frame").GetString()!),
                            m.GetProperty("json_text").GetString()!,
                            m.TryGetProperty("keepalive", out var ka) && ka.ValueKind == JsonValueKind.True));
                    }
                }

                result.Add(new RecordedExchange(
                    Path.GetFileName(file),
                    stream.GetProperty("path").GetString()!,
                    StringOrNull(request, "body_text"),
                    StringOrNull(response, "body_text"),
                    messages));
            }
        }

        return result;
    }

    private static string? StringOrNull(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;
}

/// <summary>One HTTP/2 stream of a recorded session.</summary>
public sealed record RecordedExchange(string Session, string Path, string? RequestBody, string? ResponseBody, IReadOnlyList<RecordedMapMessage> MapMessages)
{
    public override string ToString() => $"{Session} {Path}";
}

/// <summary>One map-stream message exactly as sent: the LE length prefix, the zstd frame and its decompressed JSON.</summary>
public sealed record RecordedMapMessage(byte[] LengthPrefix, byte[] ZstdFrame, string JsonText, bool KeepAlive)
{
    public byte[] Framed => [.. LengthPrefix, .. ZstdFrame];
}
