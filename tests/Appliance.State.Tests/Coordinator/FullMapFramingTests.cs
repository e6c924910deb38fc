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

    [Fact]
    public void A_zstd_map_of_many_peer_blocks_decodes_to_the_full_map_for_every_receiver_and_reuses_unchanged_blocks()
    {
        // IDs 1..200: blocks 0 (1-63), 1 (64-127), 2 (128-191) and the last, 3 (192-200), which is never cached.
        using var f = new CoordinatorFixture();
        var nodes = Enumerable.Range(0, 200).Select(i => f.Register("n" + i)).ToList();
        var snapshot = f.Coordinator.Snapshot;
        var blocks = f.Coordinator.Maps.PeerBlocks;
        NodeEntry Entry(int i) => snapshot.FindByNodeKey(nodes[i].Node)!;
        Assert.Equal(PeerBlockCache.PeersPerBlock, 64);

        AssertSameMap(f.Coordinator.Maps.Full(snapshot, Entry(0)), Decode(f.Coordinator.Maps.FullFramed(snapshot, Entry(0), zstd: true), zstd: true));
        Assert.Equal((3, 0), (blocks.Compressed, blocks.Reused)); // its own block 0, then blocks 1 and 2 (kept)

        // Receiver 70 is in block 1: that block is made without it, and is not kept in place of the whole one.
        AssertSameMap(f.Coordinator.Maps.Full(snapshot, Entry(69)), Decode(f.Coordinator.Maps.FullFramed(snapshot, Entry(69), zstd: true), zstd: true));
        Assert.Equal((5, 1), (blocks.Compressed, blocks.Reused)); // block 0 (now kept), its own block 1; block 2 reused

        AssertSameMap(f.Coordinator.Maps.Full(snapshot, Entry(150)), Decode(f.Coordinator.Maps.FullFramed(snapshot, Entry(150), zstd: true), zstd: true));
        Assert.Equal((6, 3), (blocks.Compressed, blocks.Reused)); // blocks 0 and 1 reused, its own block 2

        // A changed peer (block 1) is sent as it is now: only its block is compressed again.
        f.Coordinator.ApplyMapRequest(nodes[99].Machine, new MapRequest { Version = 133, NodeKey = nodes[99].Node, Endpoints = ["198.51.100.9:9"] });
        snapshot = f.Coordinator.Snapshot;
        var json = Decode(f.Coordinator.Maps.FullFramed(snapshot, Entry(0), zstd: true), zstd: true);
        AssertSameMap(f.Coordinator.Maps.Full(snapshot, Entry(0)), json);
        Assert.Equal((8, 4), (blocks.Compressed, blocks.Reused)); // its own block 0, block 1 again; block 2 reused
        var changed = ControlJson.ParseMapResponse(json).Peers!.Single(p => p.ID == Entry(99).Id);
        Assert.Equal(["198.51.100.9:9"], changed.Endpoints);
    }

    [Fact]
    public void A_zstd_map_is_a_run_of_standalone_frames_each_decodable_on_its_own()
    {
        using var f = new CoordinatorFixture();
        var nodes = Enumerable.Range(0, 130).Select(i => f.Register("n" + i)).ToList();
        var snapshot = f.Coordinator.Snapshot;
        var self = snapshot.FindByNodeKey(nodes[0].Node)!;
        using var frame = f.Coordinator.Maps.FullFramed(snapshot, self, zstd: true);

        // Decoded frame by frame (as a streaming decoder does) the contents concatenate to the map's JSON.
        var body = frame.Memory[4..].ToArray();
        using var decoder = new ZstdSharp.DecompressionStream(new MemoryStream(body));
        using var all = new MemoryStream();
        decoder.CopyTo(all);
        AssertSameMap(f.Coordinator.Maps.Full(snapshot, self), all.ToArray());
        Assert.True(CountFrames(body) >= 3, "the peers' blocks are separate frames");
    }

    private static int CountFrames(byte[] body)
    {
        var count = 0;
        for (var i = 0; i + 4 <= body.Length; i++)
        {
            if (body[i] == 0x28 && body[i + 1] == 0xB5 && body[i + 2] == 0x2F && body[i + 3] == 0xFD)
            {
                count++;
            }
        }

        return count;
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
