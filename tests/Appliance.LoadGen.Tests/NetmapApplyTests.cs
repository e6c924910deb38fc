using System.Text;
using System.Text.Json;
using Appliance.LoadGen.Nodes;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Control;

namespace Appliance.LoadGen.Tests;

/// <summary>
/// TestKit's PeerTable follows the client's rules, and a light node's scan of the same JSON (LightMapScanner) ends
/// with the same peer set and sees a probe exactly when the netmap shows it: checked on random message sequences.
/// </summary>
public sealed class NetmapApplyTests
{
    [Fact]
    public void PeerTable_applies_full_maps_changes_removals_and_patches_by_the_clients_rules()
    {
        var table = new PeerTable();
        table.Apply(new MapResponse { Node = Peer(9), Peers = [Peer(1), Peer(2)] });
        table.Apply(new MapResponse { Peers = [] }); // empty Peers leaves the set alone
        Assert.Equal([1L, 2L], table.Peers.Keys.Order());
        Assert.Equal(9, table.Self!.ID);

        table.Apply(new MapResponse { PeersChanged = [Peer(3) with { Endpoints = ["192.0.2.1:1"] }], PeersRemoved = [1] });
        table.Apply(new MapResponse { PeersChangedPatch = [new PeerChange { NodeID = 3, DERPRegion = 7 }, new PeerChange { NodeID = 42, Endpoints = ["x"] }] });
        table.Apply(new MapResponse { OnlineChange = new Dictionary<long, bool> { [2] = true } });
        table.Apply(new MapResponse { KeepAlive = true });

        Assert.Equal([2L, 3L], table.Peers.Keys.Order());
        Assert.Equal(["192.0.2.1:1"], table.Peers[3].Endpoints);
        Assert.Equal(7, table.Peers[3].HomeDERP);
        Assert.True(table.Peers[2].Online);
        Assert.Equal(6, table.Messages);

        table.Apply(new MapResponse { Peers = [Peer(5)] });
        Assert.Equal([5L], table.Peers.Keys);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void The_light_scan_agrees_with_the_peer_table_on_random_message_sequences(int seed)
    {
        var random = new Random(seed);
        var keys = Enumerable.Range(0, 64).Select(_ => NodePrivate.Generate().Public).ToArray();
        var table = new PeerTable();
        var light = new PeerIdSet();
        for (var step = 0; step < 300; step++)
        {
            var message = RandomMessage(random, keys);
            var json = ControlJson.Serialize(message);
            var mover = random.Next(1, 40);
            var marker = $"198.18.0.{random.Next(1, 4)}:41641";
            var joinKey = keys[random.Next(keys.Length)].ToString();
            var hadMover = table.Peers.TryGetValue(mover, out var before) && before.Endpoints?.Contains(marker) == true;

            // A third of the messages arrive with no probe active (as during registration): the scan must still
            // walk every peer's fields, including the ones it then need not compare.
            var probing = random.Next(3) != 0;
            var seen = probing
                ? LightMapScanner.Apply(json, light, mover, Encoding.UTF8.GetBytes(marker), Encoding.UTF8.GetBytes(joinKey))
                : LightMapScanner.Apply(json, light, -1, [], []);
            table.Apply(message);
            if (!probing)
            {
                Assert.False(seen);
                Assert.Equal(table.Peers.Keys.Order(), Enumerable.Range(0, 100).Select(i => (long)i).Where(light.Contains));
                continue;
            }

            Assert.Equal(table.Peers.Keys.Order(), Enumerable.Range(0, 100).Select(i => (long)i).Where(light.Contains));
            Assert.Equal(table.Count, light.Count);
            var moverShows = table.Peers.TryGetValue(mover, out var after) && after.Endpoints?.Contains(marker) == true;
            var joinInMessage = (message.Peers ?? []).Concat(message.PeersChanged ?? []).Any(p => p.Key.ToString() == joinKey);
            if (seen && !joinInMessage)
            {
                Assert.True(moverShows, $"step {step}: scan saw the marker but the netmap does not show it");
            }

            if (moverShows && !hadMover)
            {
                Assert.True(seen, $"step {step}: the netmap shows the new endpoint but the scan missed it");
            }
        }
    }

    [Fact]
    public void The_light_scan_fails_only_with_JsonException_on_broken_or_truncated_messages()
    {
        var random = new Random(7);
        var keys = Enumerable.Range(0, 8).Select(_ => NodePrivate.Generate().Public).ToArray();
        for (var i = 0; i < 2000; i++)
        {
            var json = ControlJson.Serialize(RandomMessage(random, keys));
            var broken = (i % 3) switch
            {
                0 => json[..random.Next(json.Length)],
                1 => Mutate(json, random),
                _ => RandomBytes(random),
            };
            try
            {
                LightMapScanner.Apply(broken, new PeerIdSet(), 1, "198.18.0.1:1"u8, []);
            }
            catch (JsonException)
            {
            }
            catch (InvalidOperationException e) when (e.Message.Contains("token", StringComparison.OrdinalIgnoreCase))
            {
                // Utf8JsonReader.GetInt64 on a non-number token: also a clean refusal of a malformed message.
            }
        }
    }

    [Fact]
    public void PeerIdSet_counts_dense_and_sparse_ids()
    {
        var set = new PeerIdSet();
        set.Add(3);
        set.Add(3);
        set.Add(70_000);
        set.Add(long.MaxValue);
        set.Add(-5);
        Assert.Equal(4, set.Count);
        Assert.True(set.Contains(70_000) && set.Contains(long.MaxValue) && set.Contains(-5) && !set.Contains(4));
        set.Remove(3);
        set.Remove(3);
        set.Remove(long.MaxValue);
        Assert.Equal(2, set.Count);
        set.Clear();
        Assert.Equal(0, set.Count);
        Assert.False(set.Contains(70_000));
    }

    private static MapResponse RandomMessage(Random random, NodePublic[] keys)
    {
        Node Make() => Peer(random.Next(1, 40)) with
        {
            Key = keys[random.Next(keys.Length)],
            Endpoints = random.Next(3) == 0 ? null : [$"198.18.0.{random.Next(1, 4)}:41641", "192.0.2.9:2"],

            // Fields the light scan skips, with nesting, empty arrays and escaped text (quotes, backslashes, <&>).
            Addresses = ["100.64.0.1/32", "fd7a:115c:a1e0::1/128"],
            AllowedIPs = [],
            Tags = random.Next(2) == 0 ? null : ["tag:a\\\"]}{", "tag:<&>"],
            Hostinfo = new Hostinfo { Hostname = "h\"{[x", OS = "linux", Services = [] },
            Online = random.Next(2) == 0,
        };

        return random.Next(6) switch
        {
            0 => new MapResponse { Node = Peer(99), Peers = [.. Enumerable.Range(0, random.Next(0, 6)).Select(_ => Make()).DistinctBy(p => p.ID)] },
            1 => new MapResponse { PeersChanged = [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => Make()).DistinctBy(p => p.ID)] },
            2 => new MapResponse { PeersRemoved = [random.Next(1, 40), random.Next(1, 40)] },
            3 => new MapResponse { PeersChangedPatch = [new PeerChange { NodeID = random.Next(1, 40), Endpoints = [$"198.18.0.{random.Next(1, 4)}:41641"] }] },
            4 => new MapResponse { KeepAlive = true },
            _ => new MapResponse { PeersChanged = [Make()], PeersRemoved = [random.Next(1, 40)] },
        };
    }

    private static Node Peer(long id) => new() { ID = id, Name = $"n{id}.tailnet.internal." };

    private static byte[] Mutate(byte[] json, Random random)
    {
        var copy = (byte[])json.Clone();
        for (var i = 0; i < 3; i++)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }

        return copy;
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(64)];
        random.NextBytes(bytes);
        return bytes;
    }
}
