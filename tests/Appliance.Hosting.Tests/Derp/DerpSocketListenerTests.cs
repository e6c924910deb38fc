using System.Net;
using System.Net.Sockets;
using System.Text;
using Appliance.Control.Connections;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Derp;
using Appliance.Hosting.Derp.Sockets;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Derp;
using Appliance.TestKit.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Tests.Derp;

/// <summary>
/// The plain HTTP listener's own sockets (decision 0119) on a real loopback Kestrel whose listener is
/// <c>server.listen</c>: DERP clients are served on the socket (Kestrel's connection middleware never sees them),
/// everything else reaches Kestrel with its bytes untouched, heads that arrive in pieces or not at all are handled as
/// the dispatcher handles them, and bulk relaying across the 64 KiB read buffers loses and reorders nothing.
/// </summary>
public sealed class DerpSocketListenerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_DERP_client_is_served_on_the_listeners_own_socket_and_relays()
    {
        await using var host = await StartAsync();
        await using var a = await DerpHttpConnector.ConnectAsync(host.EndPoint, NodePrivate.Generate(), "127.0.0.1", null).WaitAsync(Wait);
        await using var b = await DerpHttpConnector.ConnectAsync(host.EndPoint, NodePrivate.Generate(), "127.0.0.1", null).WaitAsync(Wait);
        await a.SendPacketAsync(b.PublicKey, "hello"u8.ToArray()).WaitAsync(Wait);

        var frame = await b.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);
        Assert.Equal(a.PublicKey, frame!.Key);
        Assert.Equal("hello"u8.ToArray(), frame.Data);
        Assert.Equal(0, host.KestrelConnections);
    }

    [Fact]
    public async Task Other_requests_and_upgrades_the_relay_does_not_take_reach_Kestrel_untouched()
    {
        await using var host = await StartAsync();
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.EndPoint.Port}/") })
        {
            using var probe = await http.GetAsync(new Uri("/derp/probe", UriKind.Relative)).WaitAsync(Wait);
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
            using var noUpgrade = await http.GetAsync(new Uri("/derp", UriKind.Relative)).WaitAsync(Wait);
            Assert.Equal(HttpStatusCode.UpgradeRequired, noUpgrade.StatusCode);
        }

        // An upgrade to something else on /derp is the endpoint's (its 426 comes from Kestrel, with a Date header).
        var refused = await Assert.ThrowsAsync<HttpUpgradeRefusedException>(() => DerpHttpConnector.UpgradeAsync(host.EndPoint, "127.0.0.1", null, "h2c").WaitAsync(Wait));
        Assert.StartsWith("HTTP/1.1 426", refused.ResponseHead, StringComparison.Ordinal);
        Assert.Contains("Date:", refused.ResponseHead, StringComparison.OrdinalIgnoreCase);
        Assert.True(host.KestrelConnections >= 2);
    }

    [Fact]
    public async Task A_head_written_byte_by_byte_is_still_a_DERP_upgrade()
    {
        await using var host = await StartAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host.EndPoint).WaitAsync(Wait);
        foreach (var b in Encoding.ASCII.GetBytes("GET /derp HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: DERP\r\nConnection: Upgrade\r\n\r\n"))
        {
            _ = await socket.SendAsync(new[] { b }, SocketFlags.None);
            await Task.Delay(3);
        }

        var answer = await ReadHeadAsync(socket).WaitAsync(Wait);
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("\r\nDerp-Version: 2\r\n", answer, StringComparison.Ordinal);
        Assert.Equal(0, host.KestrelConnections);
    }

    [Fact]
    public async Task A_head_that_stops_halfway_is_closed_after_the_head_timeout()
    {
        await using var host = await StartAsync(headSeconds: 1);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(host.EndPoint).WaitAsync(Wait);
        _ = await socket.SendAsync(Encoding.ASCII.GetBytes("GET /derp HTTP/1.1\r\nUpgrade: DE"), SocketFlags.None);

        var started = DateTime.UtcNow;
        // Closed with the peeked bytes unread, so the kernel resets rather than ends the connection; either is a close.
        var read = -1;
        try
        {
            read = await socket.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(Wait);
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
            read = 0;
        }

        Assert.Equal(0, read);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(0.5), "closed before the head timeout");
        Assert.Equal(0, host.KestrelConnections);
    }

    [Fact]
    public async Task Bulk_relaying_across_the_large_read_buffers_loses_and_reorders_nothing()
    {
        await using var host = await StartAsync();
        await using var a = await DerpHttpConnector.ConnectAsync(host.EndPoint, NodePrivate.Generate(), "127.0.0.1", null).WaitAsync(Wait);
        await using var b = await DerpHttpConnector.ConnectAsync(host.EndPoint, NodePrivate.Generate(), "127.0.0.1", null).WaitAsync(Wait);
        const int count = 3000;
        var send = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                // Sizes that do not divide 64 KiB, so frames straddle the read buffers.
                var packet = new byte[1 + (i * 37 % 1400)];
                BitConverter.TryWriteBytes(packet, i);
                a.WritePacket(b.PublicKey, packet);
                if (i % 16 == 15)
                {
                    await a.FlushAsync();
                    await Task.Delay(1); // stay under the relay's per-client queue (32 packets by default)
                }
            }

            await a.FlushAsync();
        });

        for (var i = 0; i < count; i++)
        {
            var frame = await b.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);
            Assert.Equal(1 + (i * 37 % 1400), frame!.Data.Length);
            if (frame.Data.Length >= 4)
            {
                Assert.Equal(i, BitConverter.ToInt32(frame.Data));
            }
        }

        await send.WaitAsync(Wait);
    }

    [Fact]
    public async Task Junk_on_the_listener_never_stops_it_serving()
    {
        await using var host = await StartAsync();
        var random = new Random(5191);
        var head = Encoding.ASCII.GetBytes("GET /derp HTTP/1.1\r\nHost: x\r\nUpgrade: DERP\r\nConnection: Upgrade\r\n\r\n");
        for (var i = 0; i < 150; i++)
        {
            // A prefix of a DERP head with a few bytes changed, sometimes followed by random bytes, then closed or reset.
            var bytes = head[..random.Next(1, head.Length + 1)];
            for (var m = random.Next(0, 4); m > 0; m--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            var tail = new byte[random.Next(0, 200)];
            random.NextBytes(tail);
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(host.EndPoint).WaitAsync(Wait);
            _ = await socket.SendAsync(bytes.Concat(tail).ToArray(), SocketFlags.None);
            if (i % 2 == 0)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
        }

        await using var a = await DerpHttpConnector.ConnectAsync(host.EndPoint, NodePrivate.Generate(), "127.0.0.1", null).WaitAsync(Wait);
        await using var b = await DerpHttpConnector.ConnectAsync(host.EndPoint, NodePrivate.Generate(), "127.0.0.1", null).WaitAsync(Wait);
        await a.SendPacketAsync(b.PublicKey, "still here"u8.ToArray()).WaitAsync(Wait);
        Assert.Equal("still here"u8.ToArray(), (await b.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait))!.Data);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.EndPoint.Port}/") };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/derp/probe", UriKind.Relative)).WaitAsync(Wait)).StatusCode);
    }

    [Theory]
    [InlineData(false, "127.0.0.1:0")]
    [InlineData(true, "not an address")]
    public void Without_plain_HTTP_DERP_or_a_listen_address_Kestrels_own_transport_keeps_the_listener(bool allowPlainHttp, string listen)
    {
        var options = Options(allowPlainHttp, listen);
        var services = new ServiceCollection().AddDerp(options);
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IConnectionListenerFactory));
        Directory.Delete(options.Server.DataDir, recursive: true);
    }

    private static async Task<string> ReadHeadAsync(Socket socket)
    {
        var received = new List<byte>();
        var one = new byte[1];
        while (!received.TakeLast(4).SequenceEqual("\r\n\r\n"u8.ToArray()))
        {
            if (await socket.ReceiveAsync(one, SocketFlags.None) == 0)
            {
                break;
            }

            received.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. received]);
    }

    private static ApplianceOptions Options(bool allowPlainHttp, string listen)
    {
        var options = new ApplianceOptions();
        options.Server.DataDir = Directory.CreateTempSubdirectory("derp-socket-").FullName;
        options.Server.Listen = listen;
        options.Derp.StunListen = "127.0.0.1:0";
        options.Derp.VerifyClients = false;
        options.Derp.AllowPlainHttp = allowPlainHttp;
        options.Derp.SendQueuePackets = 4096; // the bulk test reads as fast as it can, but a loaded machine must not make the relay drop
        return options;
    }

    private static async Task<Relay> StartAsync(double headSeconds = 10)
    {
        var options = Options(allowPlainHttp: true, "127.0.0.1:0");
        var counter = new int[1];
        var builder = LoopbackHost.CreateBuilder(
            listen =>
            {
                // Counts the connections Kestrel itself serves on this listener.
                _ = listen.Use(next => connection =>
                {
                    _ = Interlocked.Increment(ref counter[0]);
                    return next(connection);
                });
                _ = listen.UseConnectionUpgrades();
            },
            kestrel =>
            {
                kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(headSeconds);
                kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(headSeconds * 2);
            });
        builder.Services.AddDerp(options);
        var app = builder.Build();
        app.MapDerp();
        return new Relay(await LoopbackHost.StartAsync(app), options.Server.DataDir, counter);
    }

    private sealed record Relay(LoopbackHost Host, string DataDir, int[] Counter) : IAsyncDisposable
    {
        public IPEndPoint EndPoint => Host.EndPoint;

        public int KestrelConnections => Volatile.Read(ref Counter[0]);

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            Directory.Delete(DataDir, recursive: true);
        }
    }
}
