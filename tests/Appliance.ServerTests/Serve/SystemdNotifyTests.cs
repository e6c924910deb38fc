using System.Net;
using System.Net.Sockets;
using System.Text;
using Appliance.ServerTests.Support;

namespace Appliance.ServerTests.Serve;

/// <summary>
/// Type=notify behaviour with a fake NOTIFY_SOCKET: the test binds the datagram socket systemd would, starts
/// `appliance serve`, and checks that READY=1 arrives only once the HTTP listener accepts connections, that
/// SIGTERM produces STOPPING=1, and that the process then exits 0.
/// </summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public async Task Ready_is_sent_after_the_listener_accepts_and_sigterm_stops_cleanly_with_exit_0()
    {
        var notifyPath = _temp.Combine("notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
        var port = FreePort.Next();

        using var serve = ApplianceProcess.Start(
            ["serve", "--data-dir", _temp.Combine("data"), "--listen", $"127.0.0.1:{port}"],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notifyPath, ["APPLIANCE_LOG_FILE"] = "off" });

        var first = await ReceiveAsync(notify, serve);
        Assert.Equal("READY=1", first);

        // The moment READY=1 is in hand, the listener must already accept and report ready.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, port);
        }

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var ready = await client.GetAsync(new Uri("/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        serve.Terminate();
        Assert.Equal("STOPPING=1", await ReceiveAsync(notify, serve));
        Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    private static async Task<string> ReceiveAsync(Socket socket, ApplianceProcess process)
    {
        var buffer = new byte[512];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            var count = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return Encoding.UTF8.GetString(buffer, 0, count).Trim();
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no notification.\nstdout:\n{process.Stdout}\nstderr:\n{process.Stderr}");
        }
    }

    public void Dispose() => _temp.Dispose();
}
