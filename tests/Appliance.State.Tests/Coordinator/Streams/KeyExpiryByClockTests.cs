using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;

namespace Appliance.State.Tests.Coordinator;

/// <summary>A node key that runs out by the clock reaches the node and its peers without any operator action.</summary>
public sealed class KeyExpiryByClockTests
{
    [Fact]
    public async Task A_key_expiring_by_the_clock_is_pushed_to_peers_and_to_the_node_itself()
    {
        using var f = new CoordinatorFixture();
        var a = f.Register("a");
        var expiry = f.Time.GetUtcNow().AddHours(1);
        var bMachine = MachinePrivate.Generate().Public;
        var bKey = NodePrivate.Generate().Public;
        var registered = f.Coordinator.Register(bMachine, new RegisterRequest
        {
            Version = 133,
            NodeKey = bKey,
            Auth = new RegisterResponseAuth { AuthKey = "good" },
            Expiry = expiry,
            Hostinfo = new Hostinfo { Hostname = "b" },
        });
        Assert.Equal(expiry, registered.Node!.Record.KeyExpiry);
        var aId = f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id;
        var bId = registered.Node.Id;

        using var ha = f.Coordinator.Connect(aId, zstd: true);
        using var hb = f.Coordinator.Connect(bId, zstd: false);
        await using var pa = new StreamProbe(ha.Session);
        await using var pb = new StreamProbe(hb.Session);
        Assert.False(Assert.Single((await pa.Next())!.Peers!).Expired);
        Assert.False((await pb.Next())!.Node!.Expired);
        await pa.Next(); // b's OnlineChange

        // Heartbeats before the expiry send nothing about b (keep-alives aside).
        f.Time.Advance(TimeSpan.FromMinutes(59));
        while (await pa.Next(100) is { } early)
        {
            Assert.True(early.KeepAlive, "a message other than a keep-alive arrived before the key expired");
        }

        f.Time.Advance(TimeSpan.FromMinutes(1));
        var peerView = await NextNonKeepAlive(pa);
        var changed = Assert.Single(peerView!.PeersChanged!);
        Assert.Equal(bId, changed.ID);
        Assert.True(changed.Expired);
        Assert.Equal(expiry, changed.KeyExpiry);

        var selfView = await NextNonKeepAlive(pb);
        Assert.True(selfView!.Node!.Expired);
        Assert.True(selfView.Node.KeyExpiry <= f.Time.GetUtcNow());
        Assert.True(f.Coordinator.Snapshot.Find(bId)!.Wire.Expired);
        Assert.False(f.Coordinator.Snapshot.Find(aId)!.Wire.Expired);

        // Pushed once: later heartbeats do not repeat it.
        f.Time.Advance(TimeSpan.FromSeconds(10));
        while (await pa.Next(100) is { } later)
        {
            Assert.True(later.KeepAlive, "the expiry was sent again");
        }
    }

    private static async Task<MapResponse?> NextNonKeepAlive(StreamProbe probe)
    {
        for (var i = 0; i < 10; i++)
        {
            var next = await probe.Next(2000);
            if (next is null || !next.KeepAlive)
            {
                return next;
            }
        }

        return null;
    }
}
