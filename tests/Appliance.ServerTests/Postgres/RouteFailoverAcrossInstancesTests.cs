using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Appliance.TestKit.Control;
using Appliance.TestKit.Postgres;
using Xunit.Abstractions;

namespace Appliance.ServerTests.Postgres;

/// <summary>
/// Issue 17: subnet-route failover across two `appliance serve` processes on one real PostgreSQL. Routers r1 (homed on
/// A) and r2 (homed on B) advertise 10.1.0.0/24, both approved; watchers wa (on A) and wb (on B) read their peer's
/// PrimaryRoutes. (a) r1, the primary, closes its stream: wb, on the other instance, sees the route move to r2.
/// (b) B, which now holds the primary r2, is killed with SIGKILL: wa sees the route move back to r1, and A noticed the
/// crash through B's liveness lock (event 5031), not by waiting for B's 15 s lease. Both times are printed
/// (docs/benchmarks.md "Route failover"); the assertions are the outcomes within a generous bound.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class RouteFailoverAcrossInstancesTests(PostgresCluster cluster, ITestOutputHelper output) : IClassFixture<PostgresCluster>
{
    private const string Lan = "10.1.0.0/24";
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_route_moves_when_the_primary_disconnects_and_when_its_instance_is_killed()
    {
        await using var ha = new SharedDatabaseInstances(cluster, "failover");
        var a = await ha.StartAsync("a");
        var b = await ha.StartAsync("b");
        var key = await ha.PreAuthKeyAsync(a);
        var r1 = await ha.JoinAsync(a, key, "r1", [Lan]);
        var r2 = await ha.JoinAsync(b, key, "r2", [Lan]);
        var wa = await ha.JoinAsync(a, key, "wa");
        var wb = await ha.JoinAsync(b, key, "wb");
        var (r1Id, r2Id) = (r1.Node.Self!.ID, r2.Node.Self!.ID);
        foreach (var id in new[] { r1Id, r2Id })
        {
            var approved = await ha.Cli("nodes", "approve-routes", id.ToString(CultureInfo.InvariantCulture), "--routes", Lan, "--data-dir", a.Data);
            Assert.True(approved.Code == 0, approved.Out + approved.Err);
        }

        bool Via(TestNode viewer, long router) => viewer.Peer(router) is { } peer && (peer.AllowedIPs ?? []).Contains(Lan) && (peer.PrimaryRoutes ?? []).Contains(Lan);
        bool Carries(TestNode viewer, long router) => viewer.Peer(router) is { } peer && (peer.AllowedIPs ?? []).Contains(Lan);
        bool OnlyVia(TestNode viewer, long primary, long other) => Via(viewer, primary) && viewer.Peer(other) is not null && !Carries(viewer, other);
        string Describe(TestNode node) => $"{node.Hostname}: " + string.Join("; ", node.Peers.Values.Select(p =>
            $"{p.Name} online={p.Online} allowed={string.Join(',', p.AllowedIPs ?? [])} primary={string.Join(',', p.PrimaryRoutes ?? [])}"));

        // r1 registered first: the lowest id, the primary on both instances.
        foreach (var watcher in new[] { wa, wb })
        {
            Assert.True(await watcher.Node.WaitUntilAsync(n => OnlyVia(n, r1Id, r2Id), SharedDatabaseInstances.Converge), Describe(watcher.Node));
        }

        // (a) The primary's client closes its stream on A; wb, homed on B, sees the route move to r2.
        var clock = Stopwatch.StartNew();
        await r1.Node.StopMapPollAsync();
        var movedOnB = await wb.Node.WaitUntilAsync(n => OnlyVia(n, r2Id, r1Id), Generous);
        var clean = clock.Elapsed;
        Assert.True(movedOnB, Describe(wb.Node));
        Assert.True(await wa.Node.WaitUntilAsync(n => OnlyVia(n, r2Id, r1Id), Generous), Describe(wa.Node));
        output.WriteLine($"route failover across instances, clean disconnect: r1's stream on A ended → wb (on B) routes {Lan} via r2 after {clean.TotalMilliseconds:0} ms");

        // r1 comes back on A: r2 stays primary (no flapping back), r1 is online again as the standby.
        Assert.Equal(System.Net.HttpStatusCode.OK, await r1.Node.StartMapPollAsync());
        Assert.True(await wa.Node.WaitUntilAsync(n => n.Peer(r1Id)?.Online == true && OnlyVia(n, r2Id, r1Id), SharedDatabaseInstances.Converge), Describe(wa.Node));

        // (b) B, holding the primary r2, is killed: wa on A sees the route move back to r1.
        var bPid = b.Process!.Id;
        clock.Restart();
        await SharedDatabaseInstances.KillAsync(b);
        var movedOnA = await wa.Node.WaitUntilAsync(n => OnlyVia(n, r1Id, r2Id) && n.Peer(r2Id)?.Online == false, Generous);
        var crash = clock.Elapsed;
        Assert.True(movedOnA, Describe(wa.Node));
        output.WriteLine($"route failover across instances, SIGKILL of the primary's instance: B killed → wa (on A) routes {Lan} via r1 after {crash.TotalMilliseconds:0} ms");

        // A learnt of the crash from B's liveness lock (event 5031), not from its lease running out (event 5004).
        var crashed = new Regex($@"instance \S+-{bPid}-[0-9a-f]{{8}} lost its database connection", RegexOptions.None, TimeSpan.FromSeconds(1));
        Assert.True(crashed.IsMatch(a.Process!.Stdout), a.Process.Stdout);
        Assert.DoesNotContain("lease ran out", a.Process.Stdout, StringComparison.Ordinal);
    }
}
