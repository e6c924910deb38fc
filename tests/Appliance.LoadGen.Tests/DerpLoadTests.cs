using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Appliance.LoadGen.Derp;
using Appliance.LoadGen.Tests.Support;

namespace Appliance.LoadGen.Tests;

/// <summary>
/// <c>appliance-loadgen derp</c> against the real relay in this process: healthy, it measures loss-free; when the
/// relay drops packets or stalls its destinations, it reports the failure and exits 2 within a bounded time (a
/// 2 s stall timeout here instead of the default 20 s). Every run also carries the test's own timeout, so a hang
/// fails the test instead of the build.
/// </summary>
[Trait("Category", "LoadGen")]
public sealed class DerpLoadTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Against_a_healthy_relay_every_measurement_is_loss_free_and_carries_the_relay_cpu()
    {
        await using var relay = await InProcessDerpRelay.HealthyAsync();
        var json = Path.Combine(Path.GetTempPath(), $"derp-load-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, elapsed) = await RunAsync(relay, json, "--pairs", "1,4", "--rounds", "2", "--packets", "8000", "--stall-timeout", "5");

            Assert.Equal(0, exit);
            using var report = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
            var measurements = report.RootElement.GetProperty("measurements").EnumerateArray().ToList();
            Assert.Equal([1, 4, 1, 4], measurements.Select(m => m.GetProperty("pairs").GetInt32()));
            Assert.All(measurements, m =>
            {
                Assert.Equal(JsonValueKind.Null, m.GetProperty("error").ValueKind);
                Assert.Equal(8000, m.GetProperty("packets").GetInt64());
                Assert.True(m.GetProperty("gbps").GetDouble() > 0);
                // --server-pid is this process, which hosts the relay: its CPU per GB is a real figure.
                Assert.True(m.GetProperty("serverCpuSecondsPerGB").GetDouble() > 0);
            });
            Assert.Equal(0, relay.Server.Metrics.PacketsDroppedQueueFull);
            // Warm-up pass (4 pairs: 2,000 each, plus its 200-packet warm-up) and four measurements, each with a
            // tenth more as its own warm-up: everything the generator sent, the relay relayed.
            Assert.True(relay.Server.Metrics.PacketsRelayed >= 5 * 8000, relay.Server.Metrics.PacketsRelayed.ToString(CultureInfo.InvariantCulture));
            Assert.True(elapsed < TestTimeout);
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public async Task A_relay_that_drops_packets_is_reported_and_the_tool_exits_2_within_the_stall_timeout()
    {
        await using var relay = await InProcessDerpRelay.DroppingAsync();
        var json = Path.Combine(Path.GetTempPath(), $"derp-load-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, elapsed) = await RunAsync(relay, json, "--pairs", "2", "--rounds", "3", "--packets", "20000", "--stall-timeout", "2");

            Assert.Equal(2, exit);
            Assert.True(relay.Server.Metrics.PacketsDroppedQueueFull > 0);
            var failed = AssertOneFailure(json);
            Assert.Contains("no packet arrived for 2 s", failed, StringComparison.Ordinal);
            // One failed warm-up ends the run: the stall timeout and some slack, not three rounds of them.
            Assert.True(elapsed < TimeSpan.FromSeconds(30), elapsed.ToString());
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public async Task A_relay_that_stalls_every_destination_is_reported_and_the_tool_exits_2_within_the_stall_timeout()
    {
        await using var relay = await InProcessDerpRelay.StallingAsync();
        var json = Path.Combine(Path.GetTempPath(), $"derp-load-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, elapsed) = await RunAsync(relay, json, "--pairs", "3", "--rounds", "2", "--packets", "30000", "--stall-timeout", "2");

            Assert.Equal(2, exit);
            var failed = AssertOneFailure(json);
            Assert.Contains("(the relay", failed, StringComparison.Ordinal);
            Assert.True(relay.Server.Metrics.PacketsRelayed > 0); // the relay believes it delivered them
            Assert.True(elapsed < TimeSpan.FromSeconds(30), elapsed.ToString());
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public async Task A_relay_that_is_not_there_is_reported_not_thrown()
    {
        var json = Path.Combine(Path.GetTempPath(), $"derp-load-{Guid.NewGuid():N}.json");
        int port;
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        try
        {
            var exit = await DerpLoadCommand.RunAsync(["--derp", $"http://127.0.0.1:{port}", "--pairs", "1", "--rounds", "1", "--stall-timeout", "2", "--json", json], CancellationToken.None).WaitAsync(TestTimeout);

            Assert.Equal(2, exit);
            _ = AssertOneFailure(json);
        }
        finally
        {
            File.Delete(json);
        }
    }

    private static string AssertOneFailure(string json)
    {
        using var report = JsonDocument.Parse(File.ReadAllBytes(json));
        var measurement = Assert.Single(report.RootElement.GetProperty("measurements").EnumerateArray());
        Assert.Equal(0, measurement.GetProperty("round").GetInt32()); // the warm-up pass
        return measurement.GetProperty("error").GetString()!;
    }

    private static async Task<(int Exit, TimeSpan Elapsed)> RunAsync(InProcessDerpRelay relay, string json, params string[] args)
    {
        var clock = Stopwatch.StartNew();
        var exit = await DerpLoadCommand.RunAsync(
            [.. args, "--derp", relay.Url.ToString().TrimEnd('/'), "--server-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "--json", json],
            CancellationToken.None).WaitAsync(TestTimeout);
        return (exit, clock.Elapsed);
    }
}
