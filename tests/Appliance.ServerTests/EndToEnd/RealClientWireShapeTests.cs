using System.Net;
using System.Text.Json;
using Appliance.TestKit.Control;

namespace Appliance.ServerTests.EndToEnd;

/// <summary>
/// Wire-shape parity with what a real Tailscale v1.96.5 client was actually served (headscale 0.28.0, recorded in
/// ../shared/conformance/real-client/http2/session-2-node-b.json): after the same scenario (a peer that has reported
/// endpoints and a home DERP region, then this node's long poll), every JSON field path of headscale's first map
/// message must also be present in ours. Values differ (keys, times, names); missing fields are what break clients.
/// Dictionary keys (region IDs, DNS route names, capability names, filter names) and the client's own Hostinfo
/// contents are folded, since they are data rather than shape.
/// </summary>
public sealed class RealClientWireShapeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>Paths headscale sent that we deliberately leave out, each with the reason.</summary>
    private static readonly Dictionary<string, string> DeliberatelyAbsent = new(StringComparer.Ordinal)
    {
        // The recorded derper ran plain HTTP for the capture; the appliance's embedded relay is served over TLS.
        [".DERPMap.Regions.*.Nodes[].InsecureForTests"] = "embedded DERP is TLS",
    };

    [Fact]
    public async Task The_first_map_message_carries_every_field_headscale_sent_a_real_client()
    {
        var recorded = RecordedControlExchanges.Streams()
            .Where(s => s.Session == "session-2-node-b.json" && s.Path == "/machine/map")
            .SelectMany(s => s.MapMessages)
            .First(m => !m.KeepAlive && m.JsonText.Contains("\"Peers\"", StringComparison.Ordinal));

        await using var appliance = await ApplianceUnderTest.StartAsync();
        var key = appliance.CreatePreAuthKey();
        var a = await appliance.ConnectNodeAsync("node-a");
        var b = await appliance.ConnectNodeAsync("node-b");
        Assert.Equal(HttpStatusCode.OK, (await a.RegisterAsync(key)).Status);
        var registered = await b.RegisterAsync(key);
        Assert.Equal(HttpStatusCode.OK, registered.Status);
        AssertHasEveryPath(RecordedRegisterResponse(), registered.Text, "RegisterResponse");
        Assert.True(await a.StartMapPollAsync() == HttpStatusCode.OK, a.LastError);
        Assert.Equal(HttpStatusCode.OK, await a.SendLiteUpdateAsync(["127.0.0.1:50368"], preferredDerp: 900));
        Assert.True(await b.StartMapPollAsync() == HttpStatusCode.OK, b.LastError);
        Assert.True(await b.WaitUntilAsync(n => n.RawMessages.Count > 0, Wait));

        // The relay is advertised where it is really listening, even though the test binds ephemeral ports.
        var relay = Assert.Single(b.DERPMap!.Regions![900].Nodes!);
        Assert.Equal(appliance.Https.Port, relay.DERPPort);
        Assert.Equal("127.0.0.1", relay.IPv4);
        Assert.NotEqual(0, relay.STUNPort);

        AssertHasEveryPath(recorded.JsonText, System.Text.Encoding.UTF8.GetString(b.RawMessages[0]), "first MapResponse");
    }

    private static string RecordedRegisterResponse() =>
        RecordedControlExchanges.Streams()
            .First(s => s.Session == "session-2-node-b.json" && s.Path == "/machine/register" && s.ResponseBody is not null)
            .ResponseBody!;

    private static void AssertHasEveryPath(string recordedJson, string ourJson, string what)
    {
        var ours = Paths(JsonDocument.Parse(ourJson).RootElement);
        var theirs = Paths(JsonDocument.Parse(recordedJson).RootElement);
        var missing = theirs.Except(ours).Where(p => !DeliberatelyAbsent.ContainsKey(p)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"fields headscale sent a real client that our {what} lacks:\n" + string.Join('\n', missing));
    }

    /// <summary>Every object member path in <paramref name="root"/>, with data-like dictionary keys folded to '*'.</summary>
    private static HashSet<string> Paths(JsonElement root)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        Walk(root, "", paths);
        return paths;
    }

    private static void Walk(JsonElement element, string path, HashSet<string> paths)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    var child = path + "." + (IsDictionary(path) ? "*" : member.Name);
                    paths.Add(child);
                    if (!child.EndsWith(".Hostinfo", StringComparison.Ordinal))
                    {
                        Walk(member.Value, child, paths);
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, path + "[]", paths);
                }

                break;
        }
    }

    private static bool IsDictionary(string path) =>
        path.EndsWith(".Regions", StringComparison.Ordinal) || path.EndsWith(".Routes", StringComparison.Ordinal) ||
        path.EndsWith(".CapMap", StringComparison.Ordinal) || path.EndsWith(".PacketFilters", StringComparison.Ordinal);
}
