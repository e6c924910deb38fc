using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Control;

namespace Appliance.State.Tests.Coordinator;

/// <summary>
/// Issue 16: under a burst, streams finish their sends at different moments, so each catches up from its own
/// baseline to whatever is newest then. Built per (baseline, target) range, that was one delta (JSON + zstd) per
/// stream per catch-up, the O(N) term of registration. Along the change log's shared aligned intervals the number
/// of deltas built follows the versions published, not the streams, and every stream still ends with exactly the
/// tailnet's peers.
/// </summary>
public sealed class CatchUpSharingTests
{
    [Fact]
    public async Task Streams_with_scattered_baselines_share_the_deltas_they_catch_up_with_and_converge()
    {
        using var f = new CoordinatorFixture(queueCapacity: 256);
        var movers = Enumerable.Range(0, 4).Select(i => f.Register($"m{i}")).Select(m => (m.Machine, m.Node)).ToList();
        var receivers = Enumerable.Range(0, 48).Select(i => f.Register($"r{i}")).ToList();
        var handles = receivers.Select(r => f.Coordinator.Connect(f.Coordinator.Snapshot.FindByNodeKey(r.Node)!.Id, zstd: true)).ToList();
        var probes = handles.Select(h => new StreamProbe(h.Session)).ToList();
        var views = new List<PeerTable>();
        foreach (var probe in probes)
        {
            var view = new PeerTable();
            view.Apply((await probe.Next())!); // the full map; its send stays in flight until the probe reads again
            views.Add(view);
        }

        var hub = f.Coordinator.Streams;
        var baselines = handles.Select(_ => f.Coordinator.Snapshot.Version).ToArray();
        var ranges = new HashSet<(long From, long To)>();
        var firstVersion = f.Coordinator.Snapshot.Version;
        var builtBefore = hub.DeltasBuilt;
        var random = new Random(16);
        for (var round = 0; round < 40; round++)
        {
            Change(f, movers, round);

            // About a third of the streams finish their send now and catch up from wherever each one was.
            for (var i = 0; i < probes.Count; i++)
            {
                if (random.Next(3) == 0)
                {
                    await CatchUp(i);
                }
            }
        }

        Change(f, movers, round: 40);
        for (var i = 0; i < probes.Count; i++)
        {
            await CatchUp(i);
        }

        var versions = f.Coordinator.Snapshot.Version - firstVersion;
        var built = hub.DeltasBuilt - builtBefore;

        // One delta per distinct range would have been ranges.Count; aligned intervals are at most about two per version.
        Assert.True(built <= 2 * versions, $"{built} deltas built for {versions} versions ({ranges.Count} distinct ranges)");
        Assert.True(ranges.Count >= 3 * built, $"{ranges.Count} distinct ranges, {built} deltas built: the scenario should scatter baselines");

        var snapshot = f.Coordinator.Snapshot;
        for (var i = 0; i < views.Count; i++)
        {
            var self = snapshot.FindByNodeKey(receivers[i].Node)!.Id;
            Assert.Equal(snapshot.Nodes.Keys.Where(id => id != self).Order(), views[i].Peers.Keys.Order());
            foreach (var (id, peer) in views[i].Peers)
            {
                var wire = snapshot.Find(id)!.Wire;
                Assert.Equal(wire.Name, peer.Name);
                Assert.Equal(wire.Endpoints, peer.Endpoints);
                Assert.Equal(wire.Online, peer.Online);
            }
        }

        foreach (var probe in probes)
        {
            await probe.DisposeAsync();
        }

        foreach (var handle in handles)
        {
            handle.Dispose();
        }

        async Task CatchUp(int i)
        {
            var target = f.Coordinator.Snapshot.Version;
            ranges.Add((baselines[i], target));
            foreach (var message in (await probes[i].NextWrite())!)
            {
                Assert.Null(message.Node);
                views[i].Apply(message);
            }

            baselines[i] = target;
        }
    }

    /// <summary>An endpoint patch most rounds, a rename (a full peer change) or a new node now and then.</summary>
    private static void Change(CoordinatorFixture f, List<(MachinePublic Machine, NodePublic Node)> movers, int round)
    {
        var mover = movers[round % movers.Count];
        if (round % 5 == 4)
        {
            f.Register($"j{round}");
        }
        else if (round % 7 == 6)
        {
            f.Coordinator.Rename(f.Coordinator.Snapshot.FindByNodeKey(mover.Node)!.Id, $"renamed-{round}");
        }
        else
        {
            f.Coordinator.ApplyMapRequest(mover.Machine, new MapRequest { NodeKey = mover.Node, Endpoints = [$"192.0.2.{round + 1}:{round + 1}"] });
        }
    }
}
