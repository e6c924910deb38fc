using System.Text.Json;

namespace Appliance.TestKit.Derp;

/// <summary>Loads ../shared/conformance/real-client/derp and stun (real Tailscale v1.96.5 client against derper v1.96.5), in place.</summary>
public static class RecordedDerp
{
    public static string DerpDir => RepoPaths.RealClientPath("derp");

    public static string StunFile => RepoPaths.RealClientPath("stun", "stun.json");

    public static IReadOnlyList<string> ConnectionFiles { get; } = ["conn-1-node-a.json", "conn-2-node-b.json", "conn-3-node-b.json"];

    public static JsonDocument LoadConnection(string file) => JsonDocument.Parse(File.ReadAllBytes(RepoPaths.Require(Path.Combine(DerpDir, file))));

    public static JsonDocument LoadKeys() => JsonDocument.Parse(File.ReadAllBytes(RepoPaths.Require(Path.Combine(DerpDir, "keys.json"))));

    public static JsonDocument LoadStun() => JsonDocument.Parse(File.ReadAllBytes(StunFile));

    public static byte[] Hex(this JsonElement element, string property) => Convert.FromHexString(element.GetProperty(property).GetString()!);

    /// <summary>The raw byte stream of one direction without its HTTP head (everything after the first CRLFCRLF).</summary>
    public static byte[] FrameStream(JsonElement connection, string direction)
    {
        var raw = connection.Hex("raw_" + direction);
        var headEnd = raw.AsSpan().IndexOf("\r\n\r\n"u8);
        return raw[(headEnd + 4)..];
    }
}
