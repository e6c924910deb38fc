using Appliance.Protocol.Control;
using Appliance.State.Coordinator;

namespace Appliance.State.Tests.Coordinator;

/// <summary>
/// One join, one delta per peer (issue 16: registration cost flat in N). A new node's registration, its first map
/// request and its stream connect used to reach every peer's stream as separate fan-outs, each a write per stream;
/// now the peers get one merged delta, and a node that registers without connecting still reaches them after the
/// coalescing window (fake time: only <c>Advance</c> fires the timer).
/// </summary>
public sealed class JoinFanOutTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task Registration_map_request_and_connect_reach_a_peer_as_one_delta()
    {
        using var f = new CoordinatorFixture(coalesce: Window);
        var a = f.Register("a");
        using var ha = f.Coordinator.Connect(f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id, zstd: true);
        await using var probe = new StreamProbe(ha.Session);
        Assert.NotNull((await probe.Next())!.Node);

        // A's reader parks (idle): from here only a fan-out can hand it anything.
        probe.StartReading();
        Assert.False(probe.HasArrived);

        var b = f.Register("b");
        Assert.Equal(0, f.Coordinator.Streams.SentAtOnce);
        Assert.Equal(1, ha.Session.Pending);

        var applied = f.Coordinator.ApplyMapRequest(b.Machine, new MapRequest
        {
            Version = 133, NodeKey = b.Node, Stream = true, Endpoints = ["192.0.2.9:41641"], DiscoKey = Appliance.Protocol.Keys.DiscoPublic.FromRaw(Appliance.Protocol.Keys.NodePrivate.Generate().Public.Raw),
        }, streamFollows: true);
        Assert.True(applied.IsOk);
        Assert.Equal(0, f.Coordinator.Streams.SentAtOnce);
        using var hb = f.Coordinator.Connect(applied.Node.Id, zstd: true);

        var delta = await probe.Next();
        var peer = Assert.Single(delta!.PeersChanged!);
        Assert.Equal(applied.Node.Id, peer.ID);
        Assert.True(peer.Online);
        Assert.Equal(["192.0.2.9:41641"], peer.Endpoints);
        Assert.Null(delta.PeersChangedPatch);
        Assert.Null(delta.OnlineChange);
        Assert.Equal(1, f.Coordinator.Streams.SentAtOnce);

        // Nothing else is owed for the join, and the window's timer finds nothing left to send.
        f.Time.Advance(Window);
        Assert.Null(await probe.Next(timeoutMs: 300));
        Assert.Equal(0, ha.Session.Pending);
    }

    [Fact]
    public async Task Joins_that_arrive_while_a_peer_is_sending_reach_it_as_one_write()
    {
        // A registration burst: one write per stream per join would make each join cost N writes. A stream with a
        // send in flight takes every join that arrived meanwhile in its next write (issue 16, "coalesce only what
        // arrives while a send is in flight").
        using var f = new CoordinatorFixture(coalesce: Window);
        var a = f.Register("a");
        using var ha = f.Coordinator.Connect(f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id, zstd: true);
        await using var probe = new StreamProbe(ha.Session);

        // A's full map is with its writer, which has not come back: its send is in flight.
        Assert.NotNull((await probe.Next())!.Node);
        var joined = new List<MapStreamHandle>();
        for (var i = 0; i < 5; i++)
        {
            var n = f.Register("j" + i);
            var applied = f.Coordinator.ApplyMapRequest(n.Machine, new MapRequest { Version = 133, NodeKey = n.Node, Stream = true, Endpoints = ["192.0.2.1:" + (i + 1)] }, streamFollows: true);
            joined.Add(f.Coordinator.Connect(applied.Node!.Id, zstd: true));
        }

        var delta = await probe.Next();
        Assert.Equal(5, delta!.PeersChanged!.Count);
        Assert.All(delta.PeersChanged, p => Assert.True(p.Online));

        // Five joins, one write: nothing else is owed, not even after the window.
        probe.StartReading();
        f.Time.Advance(Window);
        Assert.Null(await probe.Next(timeoutMs: 300));
        Assert.Equal(0, ha.Session.Pending);
        joined.ForEach(h => h.Dispose());
    }

    [Fact]
    public async Task A_node_that_registers_without_connecting_reaches_peers_after_the_window()
    {
        using var f = new CoordinatorFixture(coalesce: Window);
        var a = f.Register("a");
        using var ha = f.Coordinator.Connect(f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id, zstd: true);
        await using var probe = new StreamProbe(ha.Session);
        Assert.NotNull((await probe.Next())!.Node);

        probe.StartReading();
        var b = f.Register("b");
        Assert.Equal(0, f.Coordinator.Streams.SentAtOnce);
        Assert.Null(await probe.Next(timeoutMs: 300));

        f.Time.Advance(Window);
        Assert.Equal(1, f.Coordinator.Streams.SentAtOnce);
        var delta = await probe.Next();
        var peer = Assert.Single(delta!.PeersChanged!);
        Assert.Equal(b.Outcome.Node!.Id, peer.ID);
        Assert.False(peer.Online);
    }

    [Fact]
    public async Task A_map_request_for_a_stream_that_never_connects_still_reaches_peers_after_the_window()
    {
        using var f = new CoordinatorFixture(coalesce: Window);
        var a = f.Register("a");
        var b = f.Register("b");
        using var ha = f.Coordinator.Connect(f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id, zstd: true);
        await using var probe = new StreamProbe(ha.Session);
        Assert.NotNull((await probe.Next())!.Node);

        probe.StartReading();
        f.Coordinator.ApplyMapRequest(b.Machine, new MapRequest { Version = 133, NodeKey = b.Node, Stream = true, Endpoints = ["192.0.2.4:4"] }, streamFollows: true);
        Assert.Equal(0, f.Coordinator.Streams.SentAtOnce);
        Assert.Null(await probe.Next(timeoutMs: 300));

        f.Time.Advance(Window);
        var delta = await probe.Next();
        Assert.Equal(["192.0.2.4:4"], Assert.Single(delta!.PeersChangedPatch!).Endpoints);
    }

    [Fact]
    public async Task With_a_zero_window_a_registration_is_sent_at_once()
    {
        using var f = new CoordinatorFixture(coalesce: TimeSpan.Zero);
        var a = f.Register("a");
        using var ha = f.Coordinator.Connect(f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id, zstd: true);
        await using var probe = new StreamProbe(ha.Session);
        Assert.NotNull((await probe.Next())!.Node);

        probe.StartReading();
        var b = f.Register("b");
        Assert.Equal(1, f.Coordinator.Streams.SentAtOnce);
        Assert.Equal(b.Outcome.Node!.Id, Assert.Single((await probe.Next())!.PeersChanged!).ID);
    }
}
