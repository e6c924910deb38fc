using System.Net;
using System.Net.Sockets;
using Appliance.Hosting.Derp;
using Appliance.Hosting.Tls;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Stun;
using Appliance.ServerTests.EndToEnd;
using Appliance.ServerTests.Support;
using Appliance.TestKit.Derp;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.Metrics;

/// <summary>
/// `/metrics` after real traffic: nodes join over Noise with the C# test client, follow each other's changes, relay
/// through DERP and ask STUN, and a stranger is refused; every exported series then holds what happened.
/// </summary>
public sealed class MetricsEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Metrics_count_the_control_derp_and_stun_traffic_that_really_happened()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync();
        var before = await PrometheusScrape.GetAsync(appliance.Metrics);
        Assert.Equal(0, before.Value("appliance_control_map_streams"));
        Assert.Equal(0, before.Value("appliance_nodes", "state=online"));

        var key = appliance.CreatePreAuthKey();
        var a = await appliance.ConnectNodeAsync("metrics-a");
        var b = await appliance.ConnectNodeAsync("metrics-b");
        var stranger = await appliance.ConnectNodeAsync("metrics-stranger");
        Assert.Equal(HttpStatusCode.OK, (await a.RegisterAsync(key)).Status);
        Assert.Equal(HttpStatusCode.OK, (await b.RegisterAsync(key)).Status);
        var refused = await stranger.RegisterAsync("not-a-key");
        Assert.False(string.IsNullOrEmpty(refused.Response?.Error), refused.Text);
        Assert.Equal(HttpStatusCode.OK, await a.StartMapPollAsync());
        Assert.Equal(HttpStatusCode.OK, await b.StartMapPollAsync());
        Assert.True(await a.WaitUntilAsync(n => n.Peers.Count == 1, Wait));
        Assert.True(await b.WaitUntilAsync(n => n.Peers.Count == 1, Wait));
        Assert.Equal(HttpStatusCode.OK, await b.SendLiteUpdateAsync(["192.0.2.7:41641"], preferredDerp: 900));
        Assert.True(await a.WaitUntilAsync(n => n.Peers.Values.Single().Endpoints?.Contains("192.0.2.7:41641") == true, Wait));

        var certificate = await appliance.HttpsCertificateAsync();
        await using var derpA = await DerpHttpConnector.ConnectAsync(appliance.Https, a.NodeKey, "127.0.0.1", certificate).WaitAsync(Wait);
        await using var derpB = await DerpHttpConnector.ConnectAsync(appliance.Https, b.NodeKey, "127.0.0.1", certificate).WaitAsync(Wait);
        var payload = "counted by the relay"u8.ToArray();
        await derpA.SendPacketAsync(b.NodeKey.Public, payload);
        Assert.NotNull(await derpB.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait));
        await derpA.SendPacketAsync(Protocol.Keys.NodePrivate.Generate().Public, payload);

        await AskStunAsync(appliance.Services.GetRequiredService<StunHostedService>().LocalEndPoint!);

        var scrape = await EventuallyAsync(appliance.Metrics, s =>
            s.Value("appliance_derp_dropped_total", "reason=unknown_destination") == 1 && s.Value("appliance_stun_requests_total", "result=answered") == 1);

        Assert.Equal(2, scrape.Value("appliance_nodes", "state=online"));
        Assert.Equal(0, scrape.Value("appliance_nodes", "state=offline"));
        Assert.Equal(0, scrape.Value("appliance_nodes", "state=expired"));
        Assert.Equal(2, scrape.Value("appliance_control_map_streams"));
        Assert.Equal(2, scrape.Value("appliance_control_registrations_total", "result=accepted"));
        Assert.Equal(1, scrape.Value("appliance_control_registrations_total", "result=refused"));
        var messages = scrape.Value("appliance_control_map_messages_total");
        // Guaranteed: a full map each, and for a at least one delta carrying b's new endpoint. b's full map already
        // shows a online, so b needs no delta; whether "b came online" and "b's endpoint changed" reach a as one delta
        // or two depends on whether they fall into one coalescing window (timing: alone, on an idle machine, they
        // often do, which is why this once asked for 4 and failed when the test ran by itself).
        Assert.True(messages >= 3, $"{messages} map messages: two full maps and at least one delta to a");
        Assert.True(a.MessagesReceived >= 2 && b.MessagesReceived >= 1, $"a received {a.MessagesReceived}, b {b.MessagesReceived}");
        Assert.True(messages >= a.MessagesReceived + b.MessagesReceived, $"{messages} written, {a.MessagesReceived + b.MessagesReceived} received");
        var bytes = scrape.Value("appliance_control_map_bytes_total");
        Assert.True(bytes > 16 * messages, $"{bytes} bytes for {messages} framed (4-byte length + zstd JSON) messages");
        Assert.True(scrape.Value("appliance_control_change_propagation_seconds_count") >= 1);
        Assert.True(scrape.Value("appliance_control_change_propagation_seconds_sum") < 10);

        Assert.Equal(2, scrape.Value("appliance_derp_connections"));
        Assert.Equal(2, scrape.Value("appliance_derp_connections_accepted_total"));
        Assert.Equal(1, scrape.Value("appliance_derp_packets_total"));
        Assert.Equal(payload.Length, scrape.Value("appliance_derp_relayed_bytes_total"));
        Assert.Equal(0, scrape.Value("appliance_derp_dropped_total", "reason=queue_full"));
        Assert.Equal(0, scrape.Value("appliance_derp_connections_refused_total", "reason=admission"));
        Assert.Equal(0, scrape.Value("appliance_stun_requests_total", "result=ignored"));

        Assert.True(scrape.Value("appliance_database_operation_duration_seconds_count") > 0);
        Assert.Equal(1, scrape.Value("appliance_database_writable"));
        Assert.Equal(1, scrape.Value("appliance_ready"));
        Assert.Equal(1, scrape.Find("appliance_build_info").Single().Value);
        var leaf = appliance.Services.GetRequiredService<TlsCertificateStore>().Current.Certificate.Leaf;
        Assert.Equal(new DateTimeOffset(leaf.NotAfter).ToUnixTimeSeconds(), scrape.Value("appliance_tls_certificate_expiry_seconds", "role=leaf"), 0);
        var started = scrape.Value("appliance_process_start_time_seconds");
        Assert.InRange(started, DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.True(scrape.Value("appliance_process_resident_memory_bytes") > 1_000_000);
        Assert.Equal(0, scrape.Value("appliance_update_pending"));
    }

    [Fact]
    public async Task Metrics_are_served_only_on_their_own_listener_and_that_listener_serves_nothing_else()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync();
        using var http = new HttpClient();
        using (var onMain = await http.GetAsync(new Uri(appliance.Http, "/metrics")))
        {
            Assert.Equal(HttpStatusCode.NotFound, onMain.StatusCode);
        }

        using (var health = await http.GetAsync(new Uri(appliance.Metrics, "/health")))
        {
            Assert.Equal(HttpStatusCode.NotFound, health.StatusCode);
        }

        using (var key = await http.GetAsync(new Uri(appliance.Metrics, "/key?v=130")))
        {
            Assert.Equal(HttpStatusCode.NotFound, key.StatusCode);
        }

        using var scrape = await http.GetAsync(appliance.Metrics);
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.StartsWith("text/plain", scrape.Content.Headers.ContentType!.MediaType, StringComparison.Ordinal);
        Assert.Equal(IPAddress.Loopback, IPAddress.Parse(appliance.Metrics.Host));
    }

    private static async Task AskStunAsync(IPEndPoint stun)
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        var request = new byte[64];
        var transaction = new byte[12];
        Random.Shared.NextBytes(transaction);
        Assert.True(StunBindingRequest.TryWrite(request, transaction, out var written));
        await udp.SendAsync(request.AsMemory(0, written), stun);
        using var timeout = new CancellationTokenSource(Wait);
        var answer = await udp.ReceiveAsync(timeout.Token);
        Assert.True(StunBindingResponse.TryParse(answer.Buffer, new byte[12], out _));
    }

    private static async Task<PrometheusScrape> EventuallyAsync(Uri metrics, Func<PrometheusScrape, bool> done)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var scrape = await PrometheusScrape.GetAsync(metrics);
            if (done(scrape) || DateTime.UtcNow > deadline)
            {
                return scrape;
            }

            await Task.Delay(50);
        }
    }
}
