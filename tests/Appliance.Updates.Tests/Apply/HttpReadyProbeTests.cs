using System.Net;
using System.Net.Sockets;
using System.Text;
using Appliance.Updates.Apply;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Tests.Apply;

/// <summary>The production readiness probe against a loopback listener (port 0, 127.0.0.1 only).</summary>
public class HttpReadyProbeTests
{
    [Fact]
    public async Task The_probe_reports_healthy_when_ready_answers_200()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var request = new StringBuilder();
            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer);
                if (n == 0)
                {
                    break;
                }

                request.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }

            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
            return request.ToString();
        });

        var healthy = await new HttpReadyProbe(port, TimeProvider.System).WaitHealthyAsync(ApplianceVersion.Parse("1.1.0"), TimeSpan.FromSeconds(30), default);

        Assert.True(healthy);
        Assert.StartsWith("GET /ready HTTP/1.1", await server, StringComparison.Ordinal);
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
