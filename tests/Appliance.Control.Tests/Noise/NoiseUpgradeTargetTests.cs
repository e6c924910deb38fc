using System.Buffers;
using System.Text;
using Appliance.Control.Noise;
using Appliance.Control.Tests.Protocol;
using Appliance.TestKit;

namespace Appliance.Control.Tests.Noise;

/// <summary>
/// The connection middleware takes over only the exact upgrade a Tailscale client writes (controlhttp/client.go);
/// everything else must reach Kestrel's parser untouched, so the endpoint's refusals keep their texts.
/// </summary>
public sealed class Ts2021RequestHeadTests
{
    private static readonly byte[] Initiation = [.. Enumerable.Range(0, 101).Select(i => (byte)i)];

    private static string ClientHead(string method = "POST", string extra = "") =>
        $"{method} /ts2021 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 0\r\n"
        + $"Connection: upgrade\r\nUpgrade: tailscale-control-protocol\r\nX-Tailscale-Handshake: {Convert.ToBase64String(Initiation)}\r\n{extra}\r\n";

    private static Ts2021RequestHeadKind Classify(string text, out int headLength, out byte[] initiation) =>
        Ts2021RequestHead.Classify(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), out headLength, out initiation);

    [Theory]
    [InlineData("POST")]
    [InlineData("GET")]
    public void The_clients_upgrade_is_recognised_with_its_initiation_and_length(string method)
    {
        var head = ClientHead(method);
        Assert.Equal(Ts2021RequestHeadKind.Upgrade, Classify(head + "\x01\x02noise bytes", out var length, out var initiation));
        Assert.Equal(Encoding.ASCII.GetByteCount(head), length);
        Assert.Equal(Initiation, initiation);
    }

    [Theory]
    [InlineData("session-1-node-a.json")]
    [InlineData("session-2-node-b.json")]
    public async Task A_real_clients_recorded_upgrade_is_recognised(string recording)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(RepoPaths.RealClientPath("noise", recording)));
        var request = Convert.FromHexString(doc.RootElement.GetProperty("upgrade_request").GetString()!);
        Assert.Equal(Ts2021RequestHeadKind.Upgrade, Ts2021RequestHead.Classify(new ReadOnlySequence<byte>(request), out var length, out var initiation));
        Assert.Equal(request.Length, length);
        Assert.Equal(Convert.FromHexString(doc.RootElement.GetProperty("initiation").GetString()!), initiation);
    }

    [Fact]
    public void A_head_split_across_segments_and_in_other_letter_cases_is_recognised()
    {
        var head = ClientHead().Replace("Upgrade: tailscale", "upgrade: Tailscale", StringComparison.Ordinal)
            .Replace("X-Tailscale-Handshake", "x-tailscale-handshake", StringComparison.Ordinal)
            .Replace("Connection: upgrade", "Connection: keep-alive, Upgrade", StringComparison.Ordinal);
        var bytes = Encoding.ASCII.GetBytes(head);
        var first = new Segment(bytes.AsMemory(0, 30));
        var last = first.Append(bytes.AsMemory(30));
        var sequence = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        Assert.Equal(Ts2021RequestHeadKind.Upgrade, Ts2021RequestHead.Classify(sequence, out var length, out var initiation));
        Assert.Equal(bytes.Length, length);
        Assert.Equal(Initiation, initiation);
    }

    [Fact]
    public void Every_prefix_of_the_head_asks_for_more()
    {
        var head = ClientHead();
        for (var i = 0; i < head.Length - 1; i++)
        {
            Assert.Equal(Ts2021RequestHeadKind.NeedMore, Classify(head[..i], out _, out _));
        }
    }

    [Theory]
    [InlineData("GET /key?v=133 HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("POST /ts2021 HTTP/1.0\r\nHost: x\r\n\r\n")]
    [InlineData("POST /ts2021?x=1 HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")]
    public void Other_requests_are_not_taken(string text) =>
        Assert.Equal(Ts2021RequestHeadKind.NotUpgrade, Classify(text, out _, out _));

    [Theory]
    [InlineData("Upgrade: tailscale-control-protocol\r\n", "Upgrade: websocket\r\n")]
    [InlineData("Connection: upgrade\r\n", "Connection: keep-alive\r\n")]
    [InlineData("Content-Length: 0\r\n", "Content-Length: 5\r\n")]
    [InlineData("Content-Length: 0\r\n", "Transfer-Encoding: chunked\r\n")]
    [InlineData("Host: 127.0.0.1:8080\r\n", "")]
    [InlineData("Host: 127.0.0.1:8080\r\n", "Host: a\r\nHost: b\r\n")]
    [InlineData("User-Agent: Go-http-client/1.1\r\n", "User-Agent : Go\r\n")]
    [InlineData("User-Agent: Go-http-client/1.1\r\n", " folded\r\n")]
    [InlineData("User-Agent: Go-http-client/1.1\r\n", "X-Tailscale-Handshake: AAAA\r\n")]
    [InlineData("Upgrade: tailscale-control-protocol\r\n", "")]
    public void A_head_the_endpoint_must_answer_is_left_to_it(string replace, string with)
    {
        var head = ClientHead().Replace(replace, with, StringComparison.Ordinal);
        Assert.Equal(Ts2021RequestHeadKind.NotUpgrade, Classify(head, out var length, out var initiation));
        Assert.Equal(0, length);
        Assert.Empty(initiation);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("QUJD=")]
    public void A_missing_or_undecodable_handshake_header_is_left_to_the_endpoint(string value)
    {
        var head = ClientHead().Replace(Convert.ToBase64String(Initiation), value, StringComparison.Ordinal);
        Assert.Equal(Ts2021RequestHeadKind.NotUpgrade, Classify(head, out _, out _));
    }

    [Fact]
    public void A_head_longer_than_the_limit_is_left_to_kestrel()
    {
        var head = ClientHead(extra: "X-Padding: " + new string('a', Ts2021RequestHead.MaxHeadBytes) + "\r\n");
        Assert.Equal(Ts2021RequestHeadKind.NotUpgrade, Classify(head, out _, out _));
        Assert.Equal(Ts2021RequestHeadKind.NotUpgrade, Classify("POST /ts2021 HTTP/1.1\r\nX: " + new string('a', Ts2021RequestHead.MaxHeadBytes), out _, out _));
    }

    [Fact]
    public void Mutated_heads_never_throw_and_a_recognised_head_lies_within_the_bytes()
    {
        var seed = Encoding.ASCII.GetBytes(ClientHead());
        var random = new Random(2021);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = Fuzz.Mutate(seed, random);
            var kind = Ts2021RequestHead.Classify(new ReadOnlySequence<byte>(bytes), out var length, out var initiation);
            if (kind == Ts2021RequestHeadKind.Upgrade)
            {
                Assert.InRange(length, 1, bytes.Length);
                Assert.NotEmpty(initiation);
            }
            else
            {
                Assert.Equal(0, length);
            }
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
