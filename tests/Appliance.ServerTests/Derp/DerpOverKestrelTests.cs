using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;
using Appliance.Protocol.Stun;
using Appliance.TestKit.Derp;

namespace Appliance.ServerTests.Derp;

public class DerpOverKestrelTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static async Task<DerpTestClient> Connect(DerpKestrelHost host, NodePrivate? key = null)
    {
        key ??= NodePrivate.Generate();
        host.Admission.Add(key.Public);
        return await DerpHttpConnector.ConnectAsync(host.EndPoint, key, TestCertificate.HostName, host.Certificate).WaitAsync(Wait);
    }

    [Fact]
    public async Task Two_clients_relay_packets_through_Kestrel_over_TLS()
    {
        await using var host = await DerpKestrelHost.StartAsync();
        await using var a = await Connect(host);
        await using var b = await Connect(host);

        Assert.Equal(host.Server.PublicKey, a.ServerKey);
        await a.SendNotePreferredAsync(true);
        await a.SendPacketAsync(b.PublicKey, "over tls"u8.ToArray());
        var received = await b.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);
        await b.SendPacketAsync(a.PublicKey, new byte[1400]);
        var back = await a.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);

        Assert.Equal(a.PublicKey, received!.Key);
        Assert.Equal("over tls"u8.ToArray(), received.Data);
        Assert.Equal(1400, back!.Data.Length);
    }

    [Fact]
    public async Task The_101_answer_carries_the_DERP_headers_and_the_server_key()
    {
        await using var host = await DerpKestrelHost.StartAsync();
        var (stream, head) = await DerpHttpConnector.UpgradeAsync(host.EndPoint, TestCertificate.HostName, host.Certificate, "DERP").WaitAsync(Wait);
        await using (stream)
        {
            Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
            Assert.Contains("Upgrade: DERP", head, StringComparison.Ordinal);
            Assert.Contains("Connection: Upgrade", head, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("Derp-Version: 2", head, StringComparison.Ordinal);
            Assert.Contains("Derp-Public-Key: " + Convert.ToHexStringLower(host.Server.PublicKey.Raw), head, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unregistered_node_key_is_refused_over_the_real_listener()
    {
        await using var host = await DerpKestrelHost.StartAsync();
        var stranger = NodePrivate.Generate();

        await Assert.ThrowsAnyAsync<IOException>(() => DerpHttpConnector.ConnectAsync(host.EndPoint, stranger, TestCertificate.HostName, host.Certificate).WaitAsync(Wait));
        Assert.Equal(1, host.Server.Metrics.ConnectionsRefusedAdmission);
    }

    [Fact]
    public async Task Over_plain_HTTP_the_upgrade_is_refused_unless_allow_plain_http()
    {
        await using (var https = await DerpKestrelHost.StartAsync(tls: false))
        {
            var refused = await Assert.ThrowsAsync<HttpUpgradeRefusedException>(
                () => DerpHttpConnector.UpgradeAsync(https.EndPoint, "127.0.0.1", trustedCertificate: null, "DERP").WaitAsync(Wait));
            Assert.StartsWith("HTTP/1.1 403", refused.ResponseHead, StringComparison.Ordinal);
        }

        await using var plain = await DerpKestrelHost.StartAsync(configure: o => o.Derp.AllowPlainHttp = true, tls: false);
        var key = NodePrivate.Generate();
        plain.Admission.Add(key.Public);
        await using var client = await DerpHttpConnector.ConnectAsync(plain.EndPoint, key, "127.0.0.1", trustedCertificate: null).WaitAsync(Wait);
        Assert.Equal(plain.Server.PublicKey, client.ServerKey);
    }

    [Fact]
    public async Task A_request_without_the_DERP_upgrade_gets_426()
    {
        await using var host = await DerpKestrelHost.StartAsync();
        using var http = host.CreateHttpClient();

        var response = await http.GetAsync(new Uri("/derp", UriKind.Relative));

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
    }

    [Theory]
    [InlineData("/derp/probe")]
    [InlineData("/derp/latency-check")]
    public async Task Latency_probes_answer_200_to_any_origin(string path)
    {
        await using var host = await DerpKestrelHost.StartAsync();
        using var http = host.CreateHttpClient();

        var response = await http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Generate_204_echoes_a_well_formed_challenge_only()
    {
        await using var host = await DerpKestrelHost.StartAsync();
        using var http = host.CreateHttpClient();

        using var good = new HttpRequestMessage(HttpMethod.Get, "/generate_204");
        good.Headers.Add("X-Tailscale-Challenge", "abc.DEF-1:2_3");
        var goodResponse = await http.SendAsync(good);
        using var bad = new HttpRequestMessage(HttpMethod.Get, "/generate_204");
        bad.Headers.Add("X-Tailscale-Challenge", "has space");
        var badResponse = await http.SendAsync(bad);

        Assert.Equal(HttpStatusCode.NoContent, goodResponse.StatusCode);
        Assert.Equal("response abc.DEF-1:2_3", goodResponse.Headers.GetValues("X-Tailscale-Response").Single());
        Assert.Equal(HttpStatusCode.NoContent, badResponse.StatusCode);
        Assert.False(badResponse.Headers.Contains("X-Tailscale-Response"));
    }

    [Fact]
    public async Task Stopping_the_host_sends_Restarting_to_connected_clients()
    {
        var host = await DerpKestrelHost.StartAsync();
        await using var a = await Connect(host);

        var stopping = host.App.StopAsync();
        var restarting = await a.ReceiveAsync(DerpFrameType.Restarting).WaitAsync(Wait);
        await stopping.WaitAsync(Wait);

        Assert.NotNull(restarting);
        Assert.True(DerpFramePayloads.TryParseRestarting(restarting.Data, out var reconnectIn, out _));
        Assert.Equal(TimeSpan.FromSeconds(2), reconnectIn);
        await host.DisposeAsync();
    }

    [Fact]
    public async Task The_STUN_hosted_service_answers_over_loopback_UDP()
    {
        await using var host = await DerpKestrelHost.StartAsync();
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var request = new byte[StunBindingRequest.Length];
        var txid = Enumerable.Range(1, 12).Select(i => (byte)i).ToArray();
        Assert.True(StunBindingRequest.TryWrite(request, txid, out _));

        await udp.SendAsync(request, host.Stun.LocalEndPoint!);
        var reply = await udp.ReceiveAsync().WaitAsync(Wait);

        var replyTxid = new byte[12];
        Assert.True(StunBindingResponse.TryParse(reply.Buffer, replyTxid, out var mapped));
        Assert.Equal(txid, replyTxid);
        Assert.Equal(udp.Client.LocalEndPoint, mapped);
    }

    [Fact]
    public async Task DERP_over_a_websocket_with_the_derp_subprotocol_relays_too()
    {
        await using var host = await DerpKestrelHost.StartAsync();
        await using var plain = await Connect(host);
        var key = NodePrivate.Generate();
        host.Admission.Add(key.Public);
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("derp");
        socket.Options.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHash().AsSpan().SequenceEqual(host.Certificate.GetCertHash());
        await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{host.EndPoint.Port}/derp"), CancellationToken.None).WaitAsync(Wait);
        var stream = WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: false);
        await using var ws = await DerpTestClient.ConnectAsync(PipeReader.Create(stream), PipeWriter.Create(stream), key).WaitAsync(Wait);

        await ws.SendPacketAsync(plain.PublicKey, "via websocket"u8.ToArray());

        Assert.Equal("via websocket"u8.ToArray(), (await plain.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait))!.Data);
    }
}
