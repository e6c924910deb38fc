using System.Net;
using System.Net.Sockets;
using System.Text;
using Appliance.Protocol.Keys;
using Appliance.Protocol.Noise;
using Appliance.TestKit.Noise;

namespace Appliance.Control.Tests.Noise;

/// <summary>
/// Issue 16: a client's ts2021 upgrade is answered on the connection itself (NoiseUpgradeConnectionMiddleware), so no
/// HTTP/1.1 request stays alive under the session; without the middleware the /ts2021 endpoint serves the same client
/// the same way. Both paths must carry sessions identically.
/// </summary>
public sealed class NoiseConnectionUpgradeTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Both_upgrade_paths_serve_a_session_and_only_the_endpoint_makes_an_http_request(bool connectionUpgrade)
    {
        await using var server = await NoiseTestServer.StartAsync(connectionUpgrade: connectionUpgrade);
        var machineKey = MachinePrivate.Generate();
        await using var client = await NoiseControlClient.ConnectAsync(server.BaseUri, machineKey, server.ServerKey, 133);

        var response = await client.Http.PostAsync("test/whoami", new StringContent("{}"));
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal($"{machineKey.Public} 133 HTTP/2", await response.Content.ReadAsStringAsync());
        Assert.NotNull(client.EarlyChallenge);
        Assert.False(client.EarlyChallenge!.Value.IsZero);

        var body = new byte[300_000];
        new Random(16).NextBytes(body);
        Assert.Equal("300000", await (await client.Http.PostAsync("test/echo", new ByteArrayContent(body))).Content.ReadAsStringAsync());
        Assert.Equal(connectionUpgrade ? 0 : 1, Volatile.Read(ref server.UpgradeRequests));
    }

    [Fact]
    public async Task Ordinary_requests_on_the_listener_still_reach_the_app_and_keep_alive()
    {
        await using var server = await NoiseTestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        Assert.Equal("none", await http.GetStringAsync("test/whoami"));
        Assert.Equal("none", await http.GetStringAsync("test/whoami"));
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("ts2021", null)).StatusCode);
        Assert.Equal(1, Volatile.Read(ref server.UpgradeRequests));
    }

    [Fact]
    public async Task An_upgrade_head_sent_byte_by_byte_is_served()
    {
        await using var server = await NoiseTestServer.StartAsync();
        var initiator = NoiseInitiator.Create(MachinePrivate.Generate(), server.ServerKey, 133);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.BaseUri.Port);
        var stream = tcp.GetStream();
        var head = Encoding.ASCII.GetBytes(
            $"POST /ts2021 HTTP/1.1\r\nHost: {server.BaseUri.Authority}\r\nContent-Length: 0\r\nConnection: upgrade\r\n"
            + $"Upgrade: tailscale-control-protocol\r\nX-Tailscale-Handshake: {Convert.ToBase64String(initiator.Initiation.Span)}\r\n\r\n");
        foreach (var b in head)
        {
            await stream.WriteAsync(new[] { b });
            await stream.FlushAsync();
        }

        // 101, then the 51-byte handshake response (type 2) right after the head.
        var received = new List<byte>();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int end;
        while ((end = received.ToArray().AsSpan().IndexOf("\r\n\r\n"u8)) < 0 || received.Count < end + 4 + 51)
        {
            var n = await stream.ReadAsync(buffer, timeout.Token);
            Assert.True(n > 0, "the server closed the connection");
            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", Encoding.ASCII.GetString([.. received]), StringComparison.Ordinal);
        Assert.Equal((byte)NoiseMessageType.Response, received[end + 4]);
        Assert.Equal(0, Volatile.Read(ref server.UpgradeRequests));
    }
}
