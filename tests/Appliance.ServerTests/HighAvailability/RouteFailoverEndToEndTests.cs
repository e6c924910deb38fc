using System.Diagnostics;
using Appliance.ServerTests.EndToEnd;
using Appliance.State.Coordinator;
using Appliance.TestKit.Control;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Appliance.ServerTests.HighAvailability;

/// <summary>
/// Subnet-route failover through the whole server: routers r1 and r2 (Noise test clients on map streams) serve
/// 10.1.0.0/24; client c's netmap has the route through r1 only. r1's stream drops; c's netmap moves the route to r2.
/// The time is printed (docs/benchmarks.md "Route failover"); the assertion is the outcome within a generous bound.
/// </summary>
public sealed class RouteFailoverEndToEndTests(ITestOutputHelper output)
{
    private const string Lan = "10.1.0.0/24";
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task When_the_primary_router_drops_a_peer_netmap_moves_the_route_to_the_other_router()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync();
        var coordinator = appliance.Services.GetRequiredService<ControlCoordinator>();
        var key = appliance.CreatePreAuthKey();
        var r1 = await JoinAsync(appliance, "r1", key, [Lan]);
        var r2 = await JoinAsync(appliance, "r2", key, [Lan]);
        var c = await JoinAsync(appliance, "c", key, null);
        long Id(TestNode node) => coordinator.Snapshot.FindByNodeKey(node.NodeKey.Public)!.Id;
        Assert.True(coordinator.ApproveNodeRoutes(Id(r1), [Lan]).IsOk);
        Assert.True(coordinator.ApproveNodeRoutes(Id(r2), [Lan]).IsOk);
        bool Via(TestNode viewer, TestNode router) => viewer.Peer(Id(router)) is { } peer && (peer.AllowedIPs ?? []).Contains(Lan) && (peer.PrimaryRoutes ?? []).Contains(Lan);
        bool Carries(TestNode viewer, TestNode router) => viewer.Peer(Id(router)) is { } peer && (peer.AllowedIPs ?? []).Contains(Lan);

        Assert.True(await c.WaitUntilAsync(n => Via(n, r1) && n.Peer(Id(r2)) is not null && !Carries(n, r2), Generous), "c never saw the route through r1 only");

        var clock = Stopwatch.StartNew();
        await r1.StopMapPollAsync();
        var moved = await c.WaitUntilAsync(n => Via(n, r2) && !Carries(n, r1), Generous);
        clock.Stop();

        output.WriteLine($"route failover: r1's stream ended → c's netmap routes {Lan} via r2 in {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.True(moved, "the route did not move to r2");
        Assert.Equal(Id(r2), coordinator.Snapshot.PrimaryRoutes.Single().Value);
    }

    private static async Task<TestNode> JoinAsync(ApplianceUnderTest appliance, string name, string key, IReadOnlyList<string>? routes)
    {
        var node = await appliance.ConnectNodeAsync(name);
        node.RoutableIPs = routes;
        var registered = await node.RegisterAsync(key);
        Assert.True(registered.Response?.MachineAuthorized == true, registered.Text);
        Assert.Equal(System.Net.HttpStatusCode.OK, await node.StartMapPollAsync());
        return node;
    }
}
