using Appliance.LoadGen.Report;
using Appliance.LoadGen.Run;
using Appliance.LoadGen.Tests.Support;

namespace Appliance.LoadGen.Tests;

/// <summary>
/// The generator pointed at the real control plane in-process: healthy, it reports convergence and every change
/// seen; with a stream silently left behind or a change withheld from one node, it names that node.
/// Registrations run one at a time (concurrency 1) so the Nth long poll is node N's.
/// </summary>
public sealed class GeneratorAgainstFaultyServerTests
{
    [Fact]
    public async Task Against_a_healthy_server_every_node_converges_and_sees_every_change_and_join()
    {
        await using var server = await InProcessControlServer.StartAsync();
        var report = await RunAsync(server, nodes: 12, rounds: 3, joins: 2, concurrency: 4);

        Assert.True(report.Ok, TextSummary.Render(report));
        Assert.Equal(12, report.Registration.Succeeded);
        Assert.Equal(12, report.Registration.RegisterMs.Count);
        Assert.True(report.Convergence.Converged);
        Assert.Equal(11, report.Convergence.ExpectedPeers);
        Assert.Equal(3 * 11, report.EndpointChange.LatencyMs.Count);
        Assert.Equal(12 + 13, report.Join.LatencyMs.Count);
        Assert.Equal(13, report.Final.ExpectedPeers);
        Assert.True(report.Final.Converged);
        Assert.True(report.Generator.CpuSeconds > 0);
    }

    [Fact]
    public async Task In_light_mode_peer_counting_nodes_converge_and_see_every_change_too()
    {
        await using var server = await InProcessControlServer.StartAsync();
        var report = await RunAsync(server, nodes: 12, rounds: 3, joins: 2, concurrency: 4, light: true, fullNodes: 3);

        Assert.True(report.Ok, TextSummary.Render(report));
        Assert.Equal(3, report.Settings.FullNodes);
        Assert.Equal(3 * 11, report.EndpointChange.LatencyMs.Count);
        Assert.Equal(12 + 13, report.Join.LatencyMs.Count);
    }

    [Fact]
    public async Task A_stream_left_behind_after_its_first_map_is_reported_stuck_and_missing_every_change()
    {
        await using var server = await InProcessControlServer.StartAsync(MapFault.StuckAfterFirstMap(victimStream: 3));
        var report = await RunAsync(server, nodes: 8, rounds: 2, joins: 1, concurrency: 1, wait: TimeSpan.FromSeconds(4));

        Assert.False(report.Ok);
        Assert.True(server.Dropped > 0);
        var stuck = Assert.Single(report.Convergence.StuckNodes);
        Assert.Equal("lg-00003", stuck.Hostname);
        Assert.Equal(3, stuck.Peers); // nodes 0-2 were in its first map; 4-7 never reached it
        Assert.Equal(1, report.Convergence.Stuck);
        Assert.Equal(2, report.EndpointChange.Missed);
        Assert.All(report.EndpointChange.MissedExamples, m => Assert.EndsWith("lg-00003", m, StringComparison.Ordinal));
        Assert.Equal(2 * 7 - 2, report.EndpointChange.LatencyMs.Count);
        Assert.Equal(1, report.Join.Missed);
        Assert.Equal(1, report.Final.Stuck);
    }

    [Fact]
    public async Task A_dropped_endpoint_change_is_reported_as_missed_by_that_light_node_only()
    {
        await using var server = await InProcessControlServer.StartAsync(MapFault.DropEndpointChanges(victimStream: 4, "198.18."));
        var report = await RunAsync(server, nodes: 8, rounds: 3, joins: 1, concurrency: 1, light: true, fullNodes: 2, wait: TimeSpan.FromSeconds(4));

        Assert.False(report.Ok);
        Assert.True(report.Convergence.Converged, TextSummary.Render(report));
        Assert.Equal(3, report.EndpointChange.Missed);
        Assert.All(report.EndpointChange.MissedExamples, m => Assert.EndsWith("lg-00004", m, StringComparison.Ordinal));
        Assert.Equal(0, report.Join.Missed);
        Assert.True(report.Final.Converged);
        Assert.Contains("missed 3", TextSummary.Render(report), StringComparison.Ordinal);
    }

    private static Task<LoadReport> RunAsync(InProcessControlServer server, int nodes, int rounds, int joins, int concurrency, bool light = false, int fullNodes = 50, TimeSpan? wait = null) =>
        new LoadRun(
            new LoadOptions
            {
                Control = server.BaseUri,
                AuthKey = server.CreateKey(),
                Nodes = nodes,
                Rounds = rounds,
                Joins = joins,
                Concurrency = concurrency,
                Light = light,
                FullNodes = fullNodes,
                ConvergeTimeoutOverride = wait ?? TimeSpan.FromSeconds(30),
                RoundTimeout = wait ?? TimeSpan.FromSeconds(10),
                Settle = TimeSpan.FromMilliseconds(10),
            },
            TextWriter.Null).RunAsync();
}
