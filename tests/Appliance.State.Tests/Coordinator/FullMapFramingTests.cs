using System.Buffers;
using System.Text.Json.Nodes;
using Appliance.Protocol.Control;
using Appliance.State.Coordinator;

namespace Appliance.State.Tests.Coordinator;

/// <summary>
/// Full maps framed from each peer's cached JSON (<see cref="MapBuilder.FullFramed"/>, issue 16) decode to exactly
/// the map <see cref="MapBuilder.Full"/> builds, and a peer's cached encoding never outlives its projection.
/// </summary>
public sealed class FullMapFramingTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_framed_full_map_is_the_serialized_full_map(bool zstd)
    {
        using var f = new CoordinatorFixture();
        var nodes = Enumerable.Range(0, 5).Select(i => f.Register("n" + i)).ToList();
        f.Coordinator.ApplyMapRequest(nodes[2].Machine, new MapRequest { Version = 133, NodeKey = nodes[2].Node, Endpoints = ["192.0.2.2:2"] });
        var snapshot = f.Coordinator.Snapshot;
        var self = snapshot.FindByNodeKey(nodes[0].Node)!;

        AssertSameMap(f.Coordinator.Maps.Full(snapshot, self), Decode(f.Coordinator.Maps.FullFramed(snapshot, self, zstd), zstd));
    }

    [Fact]
    public void A_map_with_no_peers_is_framed_without_a_peer_list()
    {
        using var f = new CoordinatorFixture();
        var only = f.Register("alone");
        var snapshot = f.Coordinator.Snapshot;
        var self = snapshot.FindByNodeKey(only.Node)!;

        var json = Decode(f.Coordinator.Maps.FullFramed(snapshot, self, zstd: true), zstd: true);
        Assert.False(JsonNode.Parse(json)!.AsObject().ContainsKey("Peers"));
        AssertSameMap(f.Coordinator.Maps.Full(snapshot, self), json);
    }

    [Fact]
    public void A_changed_peer_is_sent_as_it_is_now_not_as_it_was_cached()
    {
        using var f = new CoordinatorFixture();
        var a = f.Register("a");
        var b = f.Register("b");
        var self = f.Coordinator.Snapshot.FindByNodeKey(a.Node)!;
        Decode(f.Coordinator.Maps.FullFramed(f.Coordinator.Snapshot, self, zstd: false), zstd: false);

        f.Coordinator.ApplyMapRequest(b.Machine, new MapRequest { Version = 133, NodeKey = b.Node, Endpoints = ["198.51.100.7:7"] });
        var map = ControlJson.ParseMapResponse(Decode(f.Coordinator.Maps.FullFramed(f.Coordinator.Snapshot, self, zstd: false), zstd: false));

        Assert.Equal(["198.51.100.7:7"], Assert.Single(map.Peers!).Endpoints);
    }

    private static void AssertSameMap(MapResponse expected, byte[] framedJson)
    {
        var want = JsonNode.Parse(ControlJson.Serialize(expected));
        var got = JsonNode.Parse(framedJson);
        Assert.True(JsonNode.DeepEquals(want, got), $"expected {want!.ToJsonString()}\ngot {got!.ToJsonString()}");
    }

    private static byte[] Decode(PooledFrame frame, bool zstd)
    {
        using (frame)
        {
            var buffer = new ReadOnlySequence<byte>(frame.Memory);
            Assert.True(new MapMessageReader(zstd).TryRead(ref buffer, out var json));
            Assert.True(buffer.IsEmpty);
            return json;
        }
    }
}
