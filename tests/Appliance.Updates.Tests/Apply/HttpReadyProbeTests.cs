using System.Net;
using System.Net.Sockets;
using Appliance.Updates.Apply;
using Appliance.Updates.Tests.TestSupport;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Tests.Apply;

/// <summary>The production readiness probe against a loopback listener (port 0, 127.0.0.1 only).</summary>
public class HttpReadyProbeTests
{
    [Fact]
    public async Task The_probe_reports_healthy_when_ready_answers_200()
    {
        await using var server = new LoopbackReadyServer("1.1.0+abc");

        var healthy = await new HttpReadyProbe(server.Port, TimeProvider.System).WaitHealthyAsync(ApplianceVersion.Parse("1.1.0"), TimeSpan.FromSeconds(30), default);

        Assert.True(healthy);
        Assert.StartsWith("GET /ready HTTP/1.1", server.LastRequest, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.1.0+0123abcd", true)]
    [InlineData("1.1.0", true)]
    [InlineData("1.0.0+0123abcd", false)]
    [InlineData("1.1.1", false)]
    [InlineData("not a version", false)]
    [InlineData(null, false)]
    public async Task Only_a_ready_answer_from_the_expected_release_counts(string? running, bool healthy)
    {
        await using var server = new LoopbackReadyServer(running);

        var result = await new HttpReadyProbe(server.Port, TimeProvider.System).WaitHealthyAsync(ApplianceVersion.Parse("1.1.0"), TimeSpan.FromSeconds(2.5), default);

        Assert.Equal(healthy, result);
        Assert.True(server.Requests >= 1);
    }

    [Fact]
    public async Task The_probe_keeps_polling_until_the_new_release_answers()
    {
        await using var server = new LoopbackReadyServer("1.0.0");
        var probe = new HttpReadyProbe(server.Port, TimeProvider.System).WaitHealthyAsync(ApplianceVersion.Parse("1.1.0"), TimeSpan.FromSeconds(30), default);
        while (server.Requests < 2)
        {
            await Task.Delay(50);
        }

        Assert.False(probe.IsCompleted);
        server.Version = "1.1.0";

        Assert.True(await probe.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task The_probe_reports_unhealthy_when_nothing_listens_until_the_timeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var healthy = await new HttpReadyProbe(port, TimeProvider.System).WaitHealthyAsync(ApplianceVersion.Parse("1.1.0"), TimeSpan.FromSeconds(1.5), default);

        Assert.False(healthy);
    }
}
