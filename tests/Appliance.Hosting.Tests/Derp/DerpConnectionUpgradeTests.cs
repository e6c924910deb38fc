using Appliance.Control.Connections;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Derp;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Derp;
using Appliance.TestKit.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Appliance.Hosting.Tests.Derp;

/// <summary>
/// The raw-transport DERP upgrade (the dispatcher's DERP target) on a real loopback Kestrel, with Kestrel's head timeouts cut to 1-2 s: the 101 comes
/// from the target (no Date header, which Kestrel's HTTP layer adds to its answers), the relayed connection
/// outlives those timeouts, and other requests and refused upgrades reach the HTTP pipeline. A head that stops halfway
/// is the dispatcher's to close, whatever the path (ConnectionUpgradeMiddlewareTests).
/// </summary>
public sealed class DerpConnectionUpgradeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_DERP_upgrade_is_answered_on_the_raw_transport_and_relays_after_the_head_timeouts()
    {
        await using var host = await StartAsync(allowPlainHttp: true);
        var (stream, head) = await DerpHttpConnector.UpgradeAsync(host.EndPoint, "127.0.0.1", null, "DERP").WaitAsync(Wait);
        await stream.DisposeAsync();
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", head, StringComparison.Ordinal);
        Assert.Contains("\r\nDerp-Version: 2\r\n", head, StringComparison.Ordinal);
        Assert.DoesNotContain("Date:", head, StringComparison.OrdinalIgnoreCase);

        await using var a = await DerpHttpConnector.ConnectAsync(host.EndPoint, NodePrivate.Generate(), "127.0.0.1", null).WaitAsync(Wait);
        await using var b = await DerpHttpConnector.ConnectAsync(host.EndPoint, NodePrivate.Generate(), "127.0.0.1", null).WaitAsync(Wait);
        await Task.Delay(TimeSpan.FromSeconds(3)); // past RequestHeadersTimeout (1 s) and KeepAliveTimeout (2 s)
        await a.SendPacketAsync(b.PublicKey, "hello"u8.ToArray()).WaitAsync(Wait);

        var frame = await b.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);
        Assert.NotNull(frame);
        Assert.Equal(a.PublicKey, frame.Key);
        Assert.Equal("hello"u8.ToArray(), frame.Data);
    }

    [Fact]
    public async Task Other_requests_and_refused_upgrades_reach_the_HTTP_pipeline_untouched()
    {
        await using var host = await StartAsync(allowPlainHttp: false);
        using var http = new HttpClient { BaseAddress = host.BaseUri() };

        using var probe = await http.GetAsync(new Uri("/derp/probe", UriKind.Relative)).WaitAsync(Wait);
        Assert.Equal(System.Net.HttpStatusCode.OK, probe.StatusCode);
        using var plain = await http.GetAsync(new Uri("/derp", UriKind.Relative)).WaitAsync(Wait);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, plain.StatusCode);

        // A DERP head on plain HTTP without derp.allow_plain_http: the endpoint's 403, from Kestrel (it has a Date header).
        var refused = await Assert.ThrowsAsync<HttpUpgradeRefusedException>(() => DerpHttpConnector.UpgradeAsync(host.EndPoint, "127.0.0.1", null, "DERP").WaitAsync(Wait));
        Assert.StartsWith("HTTP/1.1 403", refused.ResponseHead, StringComparison.Ordinal);
        Assert.Contains("Date:", refused.ResponseHead, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<Relay> StartAsync(bool allowPlainHttp)
    {
        var options = new ApplianceOptions();
        options.Server.DataDir = Directory.CreateTempSubdirectory("derp-upgrade-").FullName;
        options.Derp.StunListen = "127.0.0.1:0";
        options.Derp.VerifyClients = false;
        options.Derp.AllowPlainHttp = allowPlainHttp;
        var builder = LoopbackHost.CreateBuilder(
            listen => listen.UseConnectionUpgrades(),
            kestrel =>
            {
                kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(1);
                kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(2);
            });
        builder.Services.AddDerp(options);
        var app = builder.Build();
        app.MapDerp();
        return new Relay(await LoopbackHost.StartAsync(app), options.Server.DataDir);
    }

    private sealed record Relay(LoopbackHost Host, string DataDir) : IAsyncDisposable
    {
        public System.Net.IPEndPoint EndPoint => Host.EndPoint;

        public Uri BaseUri() => Host.BaseUri();

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            Directory.Delete(DataDir, recursive: true);
        }
    }
}
