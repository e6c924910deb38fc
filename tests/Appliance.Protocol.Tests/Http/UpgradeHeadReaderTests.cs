using System.Buffers;
using System.Text;
using Appliance.Protocol.Http;
using Appliance.TestKit;
using Appliance.TestKit.Derp;

namespace Appliance.Protocol.Tests.Http;

/// <summary>
/// The connection-level dispatcher's one head reader: the upgrade heads Tailscale's clients write (DERP, ts2021) are
/// parsed whole and in any split; anything else is left to the HTTP server; random and mutated input never throws,
/// never looks past <see cref="UpgradeHeadReader.MaxHeadBytes"/>, and a decision taken on a prefix never changes as more
/// bytes arrive.
/// </summary>
public sealed class UpgradeHeadReaderTests
{
    // What derphttp_client.go writes (net/http Request.Write: Host, User-Agent, then the set headers) and what our mesh dialer writes.
    private const string DerpClient = "GET /derp HTTP/1.1\r\nHost: derp.example:443\r\nUser-Agent: Go-http-client/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n";
    private const string MeshDialer = "GET /derp HTTP/1.1\r\nHost: 127.0.0.2:8443\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n";

    // What controlhttp/client.go writes (the handshake is a 101-byte initiation in base64).
    private static readonly string ControlClient =
        "POST /ts2021 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 0\r\nConnection: upgrade\r\n"
        + $"Upgrade: tailscale-control-protocol\r\nX-Tailscale-Handshake: {Convert.ToBase64String([.. Enumerable.Range(0, 101).Select(i => (byte)i)])}\r\n\r\n";

    private static readonly UpgradeHeadReader Reader = new(["/ts2021", "/derp"]);

    private static UpgradeHeadStatus Read(string text, out UpgradeRequestHead? head) =>
        Reader.Read(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(text)), out head);

    [Theory]
    [InlineData(DerpClient, "GET", "/derp", "DERP")]
    [InlineData(MeshDialer, "GET", "/derp", "DERP")]
    [InlineData("GET /derp HTTP/1.1\r\nupgrade:derp\r\nCONNECTION: keep-alive, Upgrade\r\nContent-Length: 0\r\n\r\n", "GET", "/derp", "derp")]
    [InlineData("POST /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", "POST", "/derp", "websocket")]
    public void An_upgrade_head_is_parsed_with_its_length(string text, string method, string target, string upgrade)
    {
        Assert.Equal(UpgradeHeadStatus.Parsed, Read(text + "\u0002rest", out var head));
        Assert.NotNull(head);
        Assert.Equal(text.Length, head.Length);
        Assert.Equal(method, head.Method);
        Assert.Equal(target, head.Target);
        Assert.Equal(upgrade, head.Upgrade);
    }

    [Fact]
    public void The_fields_are_kept_in_order_with_their_values_trimmed()
    {
        Assert.Equal(UpgradeHeadStatus.Parsed, Read(ControlClient, out var head));
        Assert.Equal(new[] { "Host", "User-Agent", "Content-Length", "Connection", "Upgrade", "X-Tailscale-Handshake" }, head!.Fields.Select(f => f.Key));
        Assert.Equal(1, head.Count("host"));
        Assert.True(head.TryGetSingle("x-tailscale-handshake", out var handshake));
        Assert.Equal(136, handshake.Length);
        Assert.False(head.TryGetSingle("Cookie", out _));
    }

    [Theory]
    [InlineData("session-1-node-a.json")]
    [InlineData("session-2-node-b.json")]
    public async Task A_real_clients_recorded_ts2021_upgrade_is_parsed(string recording)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(RepoPaths.RealClientPath("noise", recording)));
        var request = Convert.FromHexString(doc.RootElement.GetProperty("upgrade_request").GetString()!);
        Assert.Equal(UpgradeHeadStatus.Parsed, Reader.Read(new ReadOnlySequence<byte>(request), out var head));
        Assert.Equal(request.Length, head!.Length);
        Assert.Equal("/ts2021", head.Target);
        Assert.Equal("tailscale-control-protocol", head.Upgrade);
        Assert.Equal(1, head.Count("X-Tailscale-Handshake"));
    }

    [Theory]
    [InlineData("GET /derp/probe HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /key?v=133 HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET /derpx HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n")]
    [InlineData("POST /ts2021?x=1 HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET /DERP HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.0\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n")]
    [InlineData("GET  /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\nConnection: Upgrade\nUpgrade: DERP\n\n")]
    [InlineData("GET /derp HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nUpgrade: DERP\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: keep-alive\r\nUpgrade: DERP\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\nContent-Length: 5\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\n Upgrade: DERP\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade : DERP\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\nUpgrade: h2c\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade:\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\nX\0: a\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\nno colon\r\n\r\n")]
    [InlineData("GE\u00c9T /derp HTTP/1.1\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003")]
    [InlineData(" GET /derp HTTP/1.1\r\n")]
    [InlineData("ABCDEFGHIJKLMNOPQ /derp HTTP/1.1\r\n")]
    public void Anything_else_is_left_to_the_HTTP_server(string text)
    {
        Assert.Equal(UpgradeHeadStatus.NotUpgrade, Read(text, out var head));
        Assert.Null(head);
    }

    [Theory]
    [InlineData("GET /key HTTP/1.1\r\nHost")]
    [InlineData("POST /admin")]
    [InlineData("GET /derp HTTP/2")]
    public void A_request_line_for_another_target_or_version_is_refused_before_the_head_ends(string text) =>
        Assert.Equal(UpgradeHeadStatus.NotUpgrade, Read(text, out _));

    [Fact]
    public void Every_prefix_of_an_upgrade_head_waits_for_more_and_every_split_gives_the_same_answer()
    {
        foreach (var text in new[] { DerpClient, MeshDialer, ControlClient })
        {
            var bytes = Encoding.ASCII.GetBytes(text);
            for (var n = 0; n < bytes.Length; n++)
            {
                Assert.Equal(UpgradeHeadStatus.NeedMore, Reader.Read(new ReadOnlySequence<byte>(bytes, 0, n), out _));
            }

            for (var segment = 1; segment <= 17; segment++)
            {
                Assert.Equal(UpgradeHeadStatus.Parsed, Reader.Read(SegmentedSequence.Create(bytes, segment), out var head));
                Assert.Equal(bytes.Length, head!.Length);
            }
        }
    }

    [Fact]
    public void A_head_that_never_ends_is_given_up_at_the_limit()
    {
        var endless = Encoding.ASCII.GetBytes("GET /derp HTTP/1.1\r\n" + string.Concat(Enumerable.Repeat("X-Pad: aaaaaaaaaaaaaaaaaaaa\r\n", 400)));
        Assert.True(endless.Length > UpgradeHeadReader.MaxHeadBytes);

        Assert.Equal(UpgradeHeadStatus.NotUpgrade, Reader.Read(new ReadOnlySequence<byte>(endless), out _));
        Assert.Equal(UpgradeHeadStatus.NotUpgrade, Reader.Read(new ReadOnlySequence<byte>(endless, 0, UpgradeHeadReader.MaxHeadBytes), out _));
        Assert.Equal(UpgradeHeadStatus.NeedMore, Reader.Read(new ReadOnlySequence<byte>(endless, 0, UpgradeHeadReader.MaxHeadBytes - 1), out _));

        // A complete head that ends past the limit is not read either.
        var longHead = DerpClient.Replace("\r\n\r\n", "\r\nX-Padding: " + new string('a', UpgradeHeadReader.MaxHeadBytes) + "\r\n\r\n", StringComparison.Ordinal);
        Assert.Equal(UpgradeHeadStatus.NotUpgrade, Read(longHead, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("derp")]
    [InlineData("/a b")]
    [InlineData("/\u00e9")]
    public void A_target_that_is_not_an_origin_form_path_is_refused_when_the_reader_is_made(string target) =>
        Assert.Throws<ArgumentException>(() => new UpgradeHeadReader([target]));

    [Fact]
    public void Mutated_and_random_input_never_throws_never_looks_past_the_bound_and_a_decision_on_a_prefix_is_final()
    {
        var random = new Random(1600);
        var seeds = new[] { DerpClient, MeshDialer, ControlClient }.Select(Encoding.ASCII.GetBytes).ToArray();
        var alphabet = Encoding.ASCII.GetBytes("\r\n:, \tGETPOSTDERPderpUpgradeConnection/ts20210-=\0\u00ff");
        int parsed = 0, other = 0, beyond = 0;
        for (var i = 0; i < 24_000; i++)
        {
            var input = Input(i, random, seeds, alphabet);
            var whole = Reader.Read(new ReadOnlySequence<byte>(input), out var head);
            if (whole == UpgradeHeadStatus.Parsed)
            {
                parsed++;
                Assert.InRange(head!.Length, 20, Math.Min(input.Length, UpgradeHeadReader.MaxHeadBytes));
                Assert.True(input.AsSpan(0, head.Length).EndsWith("\r\n\r\n"u8));
                Assert.Contains(head.Target, Reader.Targets);
            }
            else
            {
                other++;
                Assert.Null(head);
            }

            // The bound: bytes after MaxHeadBytes change nothing.
            if (input.Length > UpgradeHeadReader.MaxHeadBytes)
            {
                beyond++;
                var changed = (byte[])input.Clone();
                random.NextBytes(changed.AsSpan(UpgradeHeadReader.MaxHeadBytes));
                Assert.Equal(whole, Reader.Read(SegmentedSequence.Create(changed, 1 + random.Next(512)), out var again));
                Assert.Equal(head?.Length, again?.Length);
            }

            var cut = random.Next(input.Length + 1);
            var prefix = Reader.Read(SegmentedSequence.Create(input.AsMemory(0, cut), 1 + random.Next(64)), out var prefixHead);
            if (prefix != UpgradeHeadStatus.NeedMore)
            {
                Assert.Equal(whole, prefix);
                Assert.Equal(head?.Length, prefixHead?.Length);
            }
        }

        Assert.True(parsed > 1000 && other > 1000 && beyond > 1000, $"{parsed} / {other} / {beyond}");
    }

    /// <summary>A quarter random bytes (up to 6,000), an eighth seeds padded to around the bound, the rest mutated seeds.</summary>
    private static byte[] Input(int i, Random random, byte[][] seeds, byte[] alphabet)
    {
        if (i % 4 == 0)
        {
            var noise = new byte[random.Next(0, 6000)];
            random.NextBytes(noise);
            return noise;
        }

        var list = seeds[random.Next(seeds.Length)].ToList();
        if (i % 8 == 1)
        {
            var pad = Encoding.ASCII.GetBytes("X-Pad: " + new string('p', random.Next(3800, 4300)) + "\r\n");
            list.InsertRange(list.Count - 2, pad);
        }

        for (var m = random.Next(1, 4); m > 0; m--)
        {
            var at = random.Next(list.Count + 1);
            switch (random.Next(4))
            {
                case 0 when at < list.Count: list.RemoveAt(at); break;
                case 1 when at < list.Count: list[at] = alphabet[random.Next(alphabet.Length)]; break;
                case 2 when at < list.Count: list[at] ^= (byte)(1 << random.Next(8)); break;
                default: list.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
            }
        }

        return [.. list];
    }
}
