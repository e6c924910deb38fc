using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Appliance.Control.Connections;
using Appliance.Protocol.Http;
using Appliance.TestKit.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Control.Tests.Connections;

/// <summary>
/// The one connection-level upgrade dispatcher on a real loopback Kestrel, with stand-in targets: the head is read
/// once and offered to each target on its path in registration order; the one that accepts gets the transport with
/// the head consumed and the bytes after it intact; a head no target takes reaches the HTTP pipeline untouched, on a
/// connection that keeps alive; a head that stops halfway is closed after Kestrel's request-head timeout.
/// </summary>
public sealed class ConnectionUpgradeMiddlewareTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_first_target_that_accepts_runs_on_the_raw_transport_after_the_head()
    {
        var declining = new Declining();
        await using var host = await StartAsync(declining, new Echo());
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host.EndPoint).WaitAsync(Wait);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nhello"));

        var received = await ReadAsync(stream, "HTTP/1.1 101 Switching Protocols\r\n\r\nhello".Length);
        Assert.Equal("HTTP/1.1 101 Switching Protocols\r\n\r\nhello", received);
        Assert.Equal(1, Volatile.Read(ref declining.Offers));
    }

    [Fact]
    public async Task A_head_no_target_takes_reaches_the_HTTP_pipeline_on_a_connection_that_keeps_alive()
    {
        var declining = new Declining();
        await using var host = await StartAsync(declining, new Echo());
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host.EndPoint).WaitAsync(Wait);
        var stream = tcp.GetStream();

        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: other\r\n\r\n"));
        var first = await ReadAsync(stream, "HTTP/1.1 200 OK".Length);
        Assert.Equal("HTTP/1.1 200 OK", first);
        await ReadUntilAsync(stream, "http:other");

        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /x HTTP/1.1\r\nHost: a\r\n\r\n"));
        await ReadUntilAsync(stream, "http:");

        using var http = new HttpClient { BaseAddress = host.BaseUri() };
        Assert.Equal("http:", await http.GetStringAsync(new Uri("/x", UriKind.Relative)).WaitAsync(Wait));
        Assert.Equal(1, Volatile.Read(ref declining.Offers));
    }

    [Fact]
    public async Task Without_targets_every_connection_passes_straight_through()
    {
        await using var host = await StartAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host.EndPoint).WaitAsync(Wait);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n"));
        await ReadUntilAsync(stream, "http:echo");
    }

    [Fact]
    public async Task A_head_that_stops_halfway_is_closed_after_the_request_head_timeout()
    {
        await using var host = await StartAsync(new Echo());
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host.EndPoint).WaitAsync(Wait);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n"));

        var buffer = new byte[256];
        int read;
        try
        {
            do
            {
                read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait);
            }
            while (read > 0);
        }
        catch (IOException)
        {
            read = 0; // reset instead of FIN: closed either way
        }

        Assert.Equal(0, read);
    }

    private static async Task<LoopbackHost> StartAsync(params IConnectionUpgradeTarget[] targets)
    {
        var builder = LoopbackHost.CreateBuilder(
            listen => listen.UseConnectionUpgrades(),
            kestrel =>
            {
                kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(1);
                kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(2);
            });
        foreach (var target in targets)
        {
            builder.Services.AddSingleton(target);
        }

        var app = builder.Build();
        app.MapGet("/x", (HttpContext context) => "http:" + context.Request.Headers.Upgrade);
        return await LoopbackHost.StartAsync(app);
    }

    private static async Task<string> ReadAsync(NetworkStream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(Wait);
        return Encoding.ASCII.GetString(buffer);
    }

    private static async Task ReadUntilAsync(NetworkStream stream, string text)
    {
        var received = new StringBuilder();
        var buffer = new byte[1024];
        while (!received.ToString().Contains(text, StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait);
            Assert.True(n > 0, $"closed before '{text}': {received}");
            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
    }

    /// <summary>Registered first on the same path: sees every head for it and takes none.</summary>
    private sealed class Declining : IConnectionUpgradeTarget
    {
        public int Offers;

        public string Path => "/x";

        public Func<ConnectionContext, Task>? Accept(UpgradeRequestHead head, ConnectionContext connection)
        {
            Interlocked.Increment(ref Offers);
            return null;
        }
    }

    /// <summary>Takes <c>Upgrade: echo</c>: answers 101 and echoes what follows the head.</summary>
    private sealed class Echo : IConnectionUpgradeTarget
    {
        public string Path => "/x";

        public Func<ConnectionContext, Task>? Accept(UpgradeRequestHead head, ConnectionContext connection) =>
            head.Upgrade == "echo" ? EchoAsync : null;

        private static async Task EchoAsync(ConnectionContext connection)
        {
            await connection.Transport.Output.WriteAsync("HTTP/1.1 101 Switching Protocols\r\n\r\n"u8.ToArray());
            while (true)
            {
                var result = await connection.Transport.Input.ReadAsync();
                foreach (var segment in result.Buffer)
                {
                    await connection.Transport.Output.WriteAsync(segment);
                }

                connection.Transport.Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
    }
}
