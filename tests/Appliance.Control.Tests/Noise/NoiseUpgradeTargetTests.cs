using System.Buffers;
using System.Text;
using Appliance.Control.Noise;
using Appliance.Control.Tests.Protocol;
using Appliance.Protocol.Http;
using Appliance.TestKit;

namespace Appliance.Control.Tests.Noise;

/// <summary>
/// The ts2021 target of the connection-level dispatcher takes over only the exact upgrade a Tailscale client writes
/// (controlhttp/client.go); everything else must reach Kestrel's parser untouched, so the endpoint's refusals keep their
/// texts. Decided on the head the dispatcher's one reader parsed (<see cref="UpgradeHeadReader"/>).
/// </summary>
public sealed class NoiseUpgradeTargetTests
{
    private static readonly byte[] Initiation = [.. Enumerable.Range(0, 101).Select(i => (byte)i)];

    private static readonly UpgradeHeadReader Reader = new(["/ts2021", "/derp"]);

    private static string ClientHead(string method = "POST", string extra = "") =>
        $"{method} /ts2021 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 0\r\n"
        + $"Connection: upgrade\r\nUpgrade: tailscale-control-protocol\r\nX-Tailscale-Handshake: {Convert.ToBase64String(Initiation)}\r\n{extra}\r\n";

    /// <summary>The initiation when the reader parses the bytes and the target takes them; null when they go to Kestrel.</summary>
    private static byte[]? Decide(ReadOnlySequence<byte> bytes, out int headLength)
    {
        headLength = 0;
        if (Reader.Read(bytes, out var head) != UpgradeHeadStatus.Parsed || !NoiseUpgradeTarget.TryReadInitiation(head!, out var initiation))
        {
            return null;
        }

        headLength = head!.Length;
        return initiation;
    }

    private static byte[]? Decide(string text, out int headLength) => Decide(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), out headLength);

    [Theory]
    [InlineData("POST")]
    [InlineData("GET")]
    public void The_clients_upgrade_is_taken_with_its_initiation_and_length(string method)
    {
        var head = ClientHead(method);
        Assert.Equal(Initiation, Decide(head + "\x01\x02noise bytes", out var length));
        Assert.Equal(Encoding.ASCII.GetByteCount(head), length);
    }

    [Theory]
    [InlineData("session-1-node-a.json")]
    [InlineData("session-2-node-b.json")]
    public async Task A_real_clients_recorded_upgrade_is_taken(string recording)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(RepoPaths.RealClientPath("noise", recording)));
        var request = Convert.FromHexString(doc.RootElement.GetProperty("upgrade_request").GetString()!);
        Assert.Equal(Convert.FromHexString(doc.RootElement.GetProperty("initiation").GetString()!), Decide(new ReadOnlySequence<byte>(request), out var length));
        Assert.Equal(request.Length, length);
    }

    [Fact]
    public void A_head_split_across_segments_and_in_other_letter_cases_is_taken()
    {
        var head = ClientHead().Replace("Upgrade: tailscale", "upgrade: Tailscale", StringComparison.Ordinal)
            .Replace("X-Tailscale-Handshake", "x-tailscale-handshake", StringComparison.Ordinal)
            .Replace("Connection: upgrade", "Connection: keep-alive, Upgrade", StringComparison.Ordinal);
        var bytes = Encoding.ASCII.GetBytes(head);
        var first = new Segment(bytes.AsMemory(0, 30));
        var last = first.Append(bytes.AsMemory(30));
        Assert.Equal(Initiation, Decide(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), out var length));
        Assert.Equal(bytes.Length, length);
    }

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
    [InlineData("POST /ts2021", "PUT /ts2021")]
    [InlineData("POST /ts2021", "post /ts2021")]
    [InlineData("POST /ts2021 HTTP/1.1", "POST /ts2021 HTTP/1.0")]
    [InlineData("POST /ts2021", "POST /ts2021?x=1")]
    public void A_head_the_endpoint_must_answer_is_left_to_it(string replace, string with)
    {
        var head = ClientHead().Replace(replace, with, StringComparison.Ordinal);
        Assert.Null(Decide(head, out var length));
        Assert.Equal(0, length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("QUJD=")]
    public void A_missing_or_undecodable_handshake_header_is_left_to_the_endpoint(string value)
    {
        var head = ClientHead().Replace(Convert.ToBase64String(Initiation), value, StringComparison.Ordinal);
        Assert.Null(Decide(head, out _));
    }

    [Fact]
    public void Mutated_heads_never_throw_and_a_taken_head_lies_within_the_bytes()
    {
        var seed = Encoding.ASCII.GetBytes(ClientHead());
        var random = new Random(2021);
        var taken = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = Fuzz.Mutate(seed, random);
            if (Decide(new ReadOnlySequence<byte>(bytes), out var length) is { } initiation)
            {
                taken++;
                Assert.InRange(length, 1, bytes.Length);
                Assert.NotEmpty(initiation);
            }
            else
            {
                Assert.Equal(0, length);
            }
        }

        Assert.InRange(taken, 100, 19_900);
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
