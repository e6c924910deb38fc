using System.Net;
using System.Net.Sockets;
using System.Text;
using Appliance.Protocol.Keys;
using Appliance.Protocol.Noise;
using Appliance.TestKit.Noise;

namespace Appliance.Control.Tests.Noise;

public sealed class NoiseTransportTests
{
    [Fact]
    public async Task Key_endpoint_publishes_the_server_noise_key_and_a_zero_legacy_key()
    {
        await using var server = await NoiseTestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        var json = await http.GetStringAsync("key?v=133");
        Assert.Equal($"{{\"legacyPublicKey\":\"mkey:{new string('0', 64)}\",\"publicKey\":\"{server.ServerKey}\"}}", json);
        Assert.Equal(server.ServerKey, await NoiseControlClient.FetchServerKeyAsync(server.BaseUri, 133));
    }

    [Theory]
    [InlineData("key")]
    [InlineData("key?v=")]
    [InlineData("key?v=abc")]
    [InlineData("key?v=-1")]
    public async Task Key_endpoint_without_a_numeric_version_is_a_400(string path)
    {
        await using var server = await NoiseTestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Client_upgrades_speaks_http2_over_noise_and_gets_its_own_machine_key_back()
    {
        await using var server = await NoiseTestServer.StartAsync();
        var machineKey = MachinePrivate.Generate();
        var serverKey = await NoiseControlClient.FetchServerKeyAsync(server.BaseUri, 133);

        await using var client = await NoiseControlClient.ConnectAsync(server.BaseUri, machineKey, serverKey, 133);
        var response = await client.Http.PostAsync("test/whoami", new StringContent("{}"));

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal($"{machineKey.Public} 133 HTTP/2", await response.Content.ReadAsStringAsync());
        Assert.NotNull(client.EarlyChallenge);
        Assert.False(client.EarlyChallenge!.Value.IsZero);
    }

    [Fact]
    public async Task Several_concurrent_streams_share_one_noise_connection()
    {
        await using var server = await NoiseTestServer.StartAsync();
        var machineKey = MachinePrivate.Generate();
        await using var client = await NoiseControlClient.ConnectAsync(server.BaseUri, machineKey, server.ServerKey, 140);

        // Three requests park on the server; others must still complete while they wait (no head-of-line blocking).
        var parked = Enumerable.Range(0, 3).Select(_ => client.Http.PostAsync("test/wait", null)).ToList();
        while (Volatile.Read(ref server.Waiting) < 3)
        {
            await Task.Delay(10);
        }

        var quick = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.Http.PostAsync("test/whoami", null)));
        foreach (var response in quick)
        {
            Assert.StartsWith(machineKey.Public.ToString(), await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.All(parked, p => Assert.False(p.IsCompleted));
        server.Release.SetResult();
        foreach (var response in await Task.WhenAll(parked))
        {
            Assert.Equal("released", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Large_bodies_cross_the_4077_byte_record_limit_both_ways()
    {
        await using var server = await NoiseTestServer.StartAsync();
        await using var client = await NoiseControlClient.ConnectAsync(server.BaseUri, MachinePrivate.Generate(), server.ServerKey, 133);
        var body = new byte[300_000];
        new Random(3).NextBytes(body);
        var response = await client.Http.PostAsync("test/echo", new ByteArrayContent(body));
        Assert.Equal("300000", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Inner_request_bodies_over_one_mebibyte_are_refused()
    {
        await using var server = await NoiseTestServer.StartAsync();
        await using var client = await NoiseControlClient.ConnectAsync(server.BaseUri, MachinePrivate.Generate(), server.ServerKey, 133);
        var response = await client.Http.PostAsync("test/echo", new ByteArrayContent(new byte[(1 << 20) + 1]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);

        var ok = await client.Http.PostAsync("test/echo", new ByteArrayContent(new byte[1 << 20]));
        Assert.Equal("1048576", await ok.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Requests_outside_noise_never_carry_a_session()
    {
        await using var server = await NoiseTestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        Assert.Equal("none", await http.GetStringAsync("test/whoami"));
    }

    [Fact]
    public async Task A_tampered_handshake_is_closed_and_another_client_is_still_served()
    {
        await using var server = await NoiseTestServer.StartAsync();
        var initiation = NoiseInitiator.Create(MachinePrivate.Generate(), server.ServerKey, 133).Initiation.ToArray();
        initiation[60] ^= 0x01;

        var (head, rest) = await RawUpgradeAsync(server.BaseUri, Convert.ToBase64String(initiation));
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        Assert.Contains("Upgrade: tailscale-control-protocol", head, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(rest);

        await using var good = await NoiseControlClient.ConnectAsync(server.BaseUri, MachinePrivate.Generate(), server.ServerKey, 133);
        Assert.StartsWith(good.MachineKey.ToString(), await (await good.Http.PostAsync("test/whoami", null)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_below_capability_version_113_gets_a_noise_error_frame()
    {
        await using var server = await NoiseTestServer.StartAsync();
        var error = await Assert.ThrowsAsync<NoiseUpgradeException>(() => NoiseControlClient.ConnectAsync(server.BaseUri, MachinePrivate.Generate(), server.ServerKey, 112));
        Assert.Equal("unsupported client version", error.ServerError);

        await using var ok = await NoiseControlClient.ConnectAsync(server.BaseUri, MachinePrivate.Generate(), server.ServerKey, 113);
        Assert.NotNull(ok.EarlyChallenge);
    }

    [Fact]
    public async Task A_client_with_the_wrong_server_key_is_closed_without_a_response()
    {
        await using var server = await NoiseTestServer.StartAsync();
        var error = await Assert.ThrowsAsync<NoiseUpgradeException>(() => NoiseControlClient.ConnectAsync(server.BaseUri, MachinePrivate.Generate(), MachinePrivate.Generate().Public, 133));
        Assert.Null(error.ServerError);
        Assert.Equal(101, error.StatusCode);
    }

    [Fact]
    public async Task A_wrong_size_initiation_gets_upstreams_error_text()
    {
        await using var server = await NoiseTestServer.StartAsync();
        var (head, rest) = await RawUpgradeAsync(server.BaseUri, Convert.ToBase64String(new byte[50]));
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        var expected = NoiseErrorFrame.Create("wrong handshake initiation size");
        Assert.Equal(expected, rest);
    }

    [Theory]
    [InlineData(null, "x", "missing next protocol")]
    [InlineData("h2c", "x", "unknown next protocol")]
    [InlineData("tailscale-control-protocol", null, "missing Tailscale handshake header")]
    [InlineData("tailscale-control-protocol", "not base64!", "invalid tailscale handshake header")]
    public async Task Bad_upgrade_requests_are_400s_with_upstreams_texts(string? upgrade, string? handshake, string text)
    {
        await using var server = await NoiseTestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Post, "ts2021");
        if (upgrade is not null)
        {
            request.Headers.TryAddWithoutValidation("Upgrade", upgrade);
            request.Headers.TryAddWithoutValidation("Connection", "upgrade");
        }

        if (handshake is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Tailscale-Handshake", handshake);
        }

        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(text, (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task WebSocket_variant_upgrades_without_an_early_payload()
    {
        await using var server = await NoiseTestServer.StartAsync();
        var machineKey = MachinePrivate.Generate();
        await using var client = await NoiseControlClient.ConnectWebSocketAsync(server.BaseUri, machineKey, server.ServerKey, 133);
        Assert.Null(client.EarlyChallenge);
        var response = await client.Http.PostAsync("test/whoami", null);
        Assert.Equal($"{machineKey.Public} 133 HTTP/2", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Sends a raw upgrade and returns the response head and every byte after it until the server closes.</summary>
    private static async Task<(string Head, byte[] Tail)> RawUpgradeAsync(Uri server, string handshake)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        var request = $"POST /ts2021 HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Length: 0\r\nConnection: upgrade\r\nUpgrade: tailscale-control-protocol\r\nX-Tailscale-Handshake: {handshake}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var all = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await stream.CopyToAsync(all, timeout.Token);
        var bytes = all.ToArray();
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(end > 0, "no response head");
        return (Encoding.ASCII.GetString(bytes, 0, end), bytes[(end + 4)..]);
    }
}
