using Appliance.Protocol.Control;

namespace Appliance.Control.Tests.Protocol;

/// <summary>Full maps are framed into rented buffers (issue 16); the bytes must be the ones the array form writes.</summary>
public sealed class PooledFrameTests
{
    private static MapResponse LargeMap()
    {
        // About 150 KB of JSON: past the large-object threshold and the writer's first rented buffer, so it grows.
        var peers = Enumerable.Range(1, 600).Select(i => new Node
        {
            ID = i,
            StableID = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Name = $"node-{i}.tailnet.example.",
            Addresses = [$"100.64.{i / 256}.{i % 256}/32"],
            AllowedIPs = [$"100.64.{i / 256}.{i % 256}/32"],
            Endpoints = [$"198.18.{i / 256}.{i % 256}:41641", "[2001:db8::1]:41641"],
            Hostinfo = new Hostinfo { Hostname = $"host-ünïcode-{i}" },
        }).ToList();
        return new MapResponse { Peers = peers, Domain = "tailnet.example" };
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_pooled_frame_holds_exactly_the_bytes_of_the_array_frame(bool zstd)
    {
        var map = LargeMap();
        var expected = MapMessageWriter.Frame(map, zstd);
        Assert.True(ControlJson.Serialize(map).Length > 100_000);
        using var pooled = MapMessageWriter.FramePooled(map, zstd);
        Assert.Equal(expected.Length, pooled.Length);
        Assert.Equal(expected, pooled.Memory.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_map_framed_from_encoded_peers_decodes_to_the_serialized_map(bool zstd)
    {
        var map = LargeMap() with { Node = new Node { ID = 9999, Name = "self.tailnet.example." }, ControlTime = DateTimeOffset.UnixEpoch };
        var encoded = map.Peers!.Select(NodeJson.Shared).ToList();
        using var framed = MapMessageWriter.FramePooled(map with { Peers = null }, encoded, zstd);

        var buffer = new System.Buffers.ReadOnlySequence<byte>(framed.Memory);
        Assert.True(new MapMessageReader(zstd).TryRead(ref buffer, out var json));
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(
            System.Text.Json.Nodes.JsonNode.Parse(ControlJson.Serialize(map)), System.Text.Json.Nodes.JsonNode.Parse(json)));
        Assert.Same(encoded[0], NodeJson.Shared(map.Peers![0]));
    }

    [Fact]
    public void Encoded_peers_close_an_otherwise_empty_map_and_peers_in_the_message_are_refused()
    {
        using var framed = MapMessageWriter.FramePooled(new MapResponse(), [NodeJson.Encode(new Node { ID = 1 })], zstd: false);
        var json = System.Text.Encoding.UTF8.GetString(framed.Memory.Span[4..]);
        Assert.StartsWith("""{"Peers":[{""", json, StringComparison.Ordinal);
        Assert.EndsWith("}]}", json, StringComparison.Ordinal);
        Assert.Equal(1, Assert.Single(ControlJson.ParseMapResponse(framed.Memory.Span[4..]).Peers!).ID);
        Assert.Throws<ArgumentException>(() => MapMessageWriter.FramePooled(LargeMap(), [], zstd: false));
    }

    [Fact]
    public void A_disposed_frame_cannot_be_read_and_disposing_twice_is_harmless()
    {
        var pooled = MapMessageWriter.FramePooled(new MapResponse { KeepAlive = true }, zstd: true);
        pooled.Dispose();
        pooled.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pooled.Memory);
    }
}
