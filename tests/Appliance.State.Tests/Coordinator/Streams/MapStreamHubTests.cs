using System.Runtime.InteropServices;
using Appliance.Protocol.Control;
using Appliance.State.Coordinator;
using Appliance.State.Tests.Support;
using Appliance.TestKit.Control;

namespace Appliance.State.Tests.Coordinator;

/// <summary>
/// The map-stream hub (issue 16): a change reaches an idle stream at once, whatever the coalescing setting and
/// without the clock moving; changes arriving while a stream is busy sending are merged into one message when the
/// send completes; receivers of the same bytes share one encoding; a stream that falls far behind still converges.
/// Fake time never advances in these tests, so nothing here can be a timer firing.
/// </summary>
public sealed class MapStreamHubTests
{
    [Fact]
    public async Task An_idle_stream_receives_a_change_at_once_without_time_advancing()
    {
        using var f = new CoordinatorFixture(coalesce: TimeSpan.FromMilliseconds(250));
        var a = f.Register("a");
        var b = f.Register("b");
        using var handle = f.Coordinator.Connect(f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id, zstd: true);
        await using var probe = new StreamProbe(handle.Session);
        Assert.NotNull((await probe.Next())!.Node);
        probe.StartReading();
        Assert.False(probe.HasArrived);
        Assert.Equal(0, handle.Session.Pending);

        f.Coordinator.ApplyMapRequest(b.Machine, new MapRequest { Version = 133, NodeKey = b.Node, Endpoints = ["192.0.2.7:7"] });

        // Handed over by the command's own fan-out, before ApplyMapRequest returned.
        Assert.Equal(1, f.Coordinator.Streams.SentAtOnce);
        var delta = await probe.Next();
        Assert.Equal(["192.0.2.7:7"], Assert.Single(delta!.PeersChangedPatch!).Endpoints);
        Assert.Equal(0, f.Coordinator.Streams.CaughtUp);
    }

    [Fact]
    public async Task A_burst_during_an_in_flight_send_is_coalesced_into_one_message()
    {
        using var f = new CoordinatorFixture();
        var a = f.Register("a");
        var b = f.Register("b");
        var c = f.Register("c");
        using var handle = f.Coordinator.Connect(f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id, zstd: true);
        await using var probe = new StreamProbe(handle.Session);

        // The full map has been handed to the writer and the writer has not come back: a send is in flight.
        Assert.NotNull((await probe.Next())!.Node);
        f.Coordinator.ApplyMapRequest(b.Machine, new MapRequest { NodeKey = b.Node, Endpoints = ["192.0.2.1:1"] });
        f.Coordinator.ApplyMapRequest(c.Machine, new MapRequest { NodeKey = c.Node, Endpoints = ["192.0.2.2:2"] });
        f.Coordinator.ApplyMapRequest(b.Machine, new MapRequest { NodeKey = b.Node, Endpoints = ["192.0.2.3:3"] });
        Assert.Equal(0, f.Coordinator.Streams.SentAtOnce);
        Assert.Equal(1, handle.Session.Pending);

        // The send completes (the writer asks for the next message): one delta carries the whole burst.
        var delta = await probe.Next();
        Assert.Equal(2, delta!.PeersChangedPatch!.Count);
        Assert.Equal(["192.0.2.3:3"], delta.PeersChangedPatch.Single(p => p.Endpoints![0].EndsWith(":3", StringComparison.Ordinal)).Endpoints);
        Assert.Equal(["192.0.2.2:2"], delta.PeersChangedPatch.Single(p => p.Endpoints![0].EndsWith(":2", StringComparison.Ordinal)).Endpoints);
        Assert.Equal(1, f.Coordinator.Streams.CaughtUp);

        // Nothing else is owed: the reader parks.
        probe.StartReading();
        Assert.False(probe.HasArrived);
        Assert.Equal(0, handle.Session.Pending);
    }

    [Fact]
    public async Task Idle_streams_that_get_the_same_delta_share_one_encoding()
    {
        using var f = new CoordinatorFixture();
        var a = f.Register("a");
        f.Register("b");
        var c = f.Register("c");
        var d = f.Register("d");
        using var ha = f.Coordinator.Connect(f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id, zstd: true);
        using var hc = f.Coordinator.Connect(f.Coordinator.Snapshot.FindByNodeKey(c.Node)!.Id, zstd: true);
        await using var ra = ha.Session.ReadAllAsync(CancellationToken.None).GetAsyncEnumerator();
        await using var rc = hc.Session.ReadAllAsync(CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await ra.MoveNextAsync()); // full maps
        Assert.True(await rc.MoveNextAsync());
        var nextA = ra.MoveNextAsync(); // both idle now
        var nextC = rc.MoveNextAsync();

        f.Coordinator.ApplyMapRequest(d.Machine, new MapRequest { NodeKey = d.Node, Endpoints = ["192.0.2.4:4"] });
        Assert.True(await nextA);
        Assert.True(await nextC);
        Assert.True(MemoryMarshal.TryGetArray(ra.Current, out var bytesA));
        Assert.True(MemoryMarshal.TryGetArray(rc.Current, out var bytesC));
        Assert.Same(bytesA.Array, bytesC.Array);
    }

    [Fact]
    public async Task A_slow_stream_converges_with_one_merged_delta_however_far_behind_it_is()
    {
        using var f = new CoordinatorFixture(queueCapacity: 8);
        var a = f.Register("a");
        var others = Enumerable.Range(0, 4).Select(i => f.Register($"n{i}")).ToList();
        using var slow = f.Coordinator.Connect(f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id, zstd: false);
        await using var probe = new StreamProbe(slow.Session);
        var view = new PeerTable();
        view.Apply((await probe.Next())!);

        // Fewer changes than the log holds: one merged delta.
        for (var i = 0; i < 6; i++)
        {
            var n = others[i % others.Count];
            f.Coordinator.ApplyMapRequest(n.Machine, new MapRequest { NodeKey = n.Node, Endpoints = [$"192.0.2.9:{i + 1}"] });
        }

        var merged = (await probe.Next())!;
        Assert.Null(merged.Node);
        view.Apply(merged);
        AssertAgrees(f, view);

        // Many more than the log holds one by one: the older versions were folded, and the stream still gets one
        // merged delta (not a full map: a burst that puts every stream behind must not make every stream build one).
        for (var i = 0; i < 40; i++)
        {
            var n = others[i % others.Count];
            f.Coordinator.ApplyMapRequest(n.Machine, new MapRequest { NodeKey = n.Node, Endpoints = [$"198.51.100.1:{i + 1}"] });
        }

        f.Coordinator.Rename(f.Coordinator.Snapshot.FindByNodeKey(others[0].Node)!.Id, "renamed");
        var caughtUp = (await probe.Next())!;
        Assert.Null(caughtUp.Node);
        Assert.Null(caughtUp.DERPMap);
        Assert.Equal(0, slow.Session.Resyncs);
        view.Apply(caughtUp);
        AssertAgrees(f, view);
        probe.StartReading();
        Assert.False(probe.HasArrived);
    }

    [Fact]
    public async Task A_mass_disconnect_reaches_the_remaining_streams_as_deltas_not_full_maps()
    {
        // A site's network blips and most clients drop at once: every disconnect is a version, far more than the log
        // keeps one by one, while the remaining streams are busy. Each must converge with one merged delta.
        using var f = new CoordinatorFixture(queueCapacity: 4);
        var nodes = Enumerable.Range(0, 40).Select(i => f.Register($"n{i}")).ToList();
        var ids = nodes.Select(n => f.Coordinator.Snapshot.FindByNodeKey(n.Node)!.Id).ToList();
        var handles = ids.Select(id => f.Coordinator.Connect(id, zstd: false)).ToList();
        var stay = handles.Take(5).ToList();
        var probes = stay.Select(h => new StreamProbe(h.Session)).ToList();
        var views = new List<PeerTable>();
        foreach (var probe in probes)
        {
            var view = new PeerTable();
            view.Apply((await probe.Next())!);
            views.Add(view);
        }

        foreach (var gone in handles.Skip(5))
        {
            gone.Dispose();
        }

        for (var i = 0; i < probes.Count; i++)
        {
            var delta = (await probes[i].Next())!;
            Assert.Null(delta.Node);
            Assert.Equal(0, stay[i].Session.Resyncs);
            views[i].Apply(delta);
            foreach (var id in ids.Skip(5))
            {
                Assert.False(views[i].Peers[id].Online);
            }

            probes[i].StartReading();
            Assert.False(probes[i].HasArrived);
        }

        foreach (var probe in probes)
        {
            await probe.DisposeAsync();
        }

        foreach (var h in stay)
        {
            h.Dispose();
        }
    }

    private static void AssertAgrees(CoordinatorFixture f, PeerTable view)
    {
        var snapshot = f.Coordinator.Snapshot;
        foreach (var (id, peer) in view.Peers)
        {
            var wire = snapshot.Find(id)!.Wire;
            Assert.Equal(wire.Name, peer.Name);
            Assert.Equal(wire.Endpoints, peer.Endpoints);
        }

        Assert.Equal(snapshot.Nodes.Count - 1, view.Peers.Count);
    }
}
