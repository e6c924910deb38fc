using System.Text.Json;
using Appliance.TestKit;

namespace Appliance.Protocol.Tests.Noise;

/// <summary>One recorded ts2021 connection of a real Tailscale v1.96.5 client (../shared/conformance/real-client/noise).</summary>
internal sealed class RealClientNoiseSession
{
    private RealClientNoiseSession(string name, JsonElement root)
    {
        Name = name;
        Root = root;
    }

    public string Name { get; }

    public JsonElement Root { get; }

    public static IEnumerable<object[]> Names() =>
    [
        ["session-1-node-a.json"],
        ["session-2-node-b.json"],
    ];

    public static RealClientNoiseSession Load(string name)
    {
        var path = RepoPaths.RealClientPath("noise", name);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return new RealClientNoiseSession(name, doc.RootElement.Clone());
    }

    public byte[] Hex(string property) => Convert.FromHexString(Root.GetProperty(property).GetString()!);

    public static byte[] Hex(JsonElement element, string property) => Convert.FromHexString(element.GetProperty(property).GetString()!);
}
