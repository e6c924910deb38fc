using System.Buffers;
using System.Text;
using Appliance.Hosting.Derp.Upgrade;
using Appliance.TestKit.Derp;

namespace Appliance.Hosting.Tests.Derp;

/// <summary>
/// The DERP upgrade middleware's peek at a connection's first bytes: Tailscale's client head is recognised whole and
/// in any split; anything else is left to Kestrel; random and mutated input never throws, never reads past
/// <see cref="DerpRequestHead.MaxHeadBytes"/>, and a decision taken on a prefix never changes as more bytes arrive.
/// </summary>
public sealed class DerpRequestHeadTests
{
    // What derphttp_client.go writes (net/http Request.Write: Host, User-Agent, then the set headers) and what our mesh dialer writes.
    private const string GoClient = "GET /derp HTTP/1.1\r\nHost: derp.example:443\r\nUser-Agent: Go-http-client/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n";
    private const string MeshDialer = "GET /derp HTTP/1.1\r\nHost: 127.0.0.2:8443\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n";

    [Theory]
    [InlineData(GoClient)]
    [InlineData(MeshDialer)]
    [InlineData("GET /derp HTTP/1.1\r\nupgrade:derp\r\nCONNECTION: keep-alive, Upgrade\r\nContent-Length: 0\r\n\r\n")]
    public void A_DERP_client_head_is_recognised_with_its_length(string head)
    {
        var bytes = Encoding.ASCII.GetBytes(head + "\u0002rest");

        Assert.Equal(DerpRequestHeadKind.Derp, DerpRequestHead.Classify(new ReadOnlySequence<byte>(bytes), out var length));
        Assert.Equal(head.Length, length);
    }

    [Theory]
    [InlineData("GET /derp/probe HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: derp\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nUpgrade: DERP\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.0\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n")]
    [InlineData("GET /derpx HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n")]
    [InlineData("POST /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\nContent-Length: 5\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\n Upgrade: DERP\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade : DERP\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\nUpgrade: h2c\r\n\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("\u0016\u0003\u0001")]
    public void Anything_else_is_left_to_the_HTTP_pipeline(string head)
    {
        Assert.Equal(DerpRequestHeadKind.NotDerp, DerpRequestHead.Classify(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(head)), out _));
    }

    [Fact]
    public void Every_prefix_of_a_DERP_head_waits_for_more_and_every_split_gives_the_same_answer()
    {
        var bytes = Encoding.ASCII.GetBytes(GoClient);
        for (var n = 0; n < bytes.Length; n++)
        {
            Assert.Equal(DerpRequestHeadKind.NeedMore, DerpRequestHead.Classify(new ReadOnlySequence<byte>(bytes, 0, n), out _));
        }

        for (var segment = 1; segment <= 17; segment++)
        {
            Assert.Equal(DerpRequestHeadKind.Derp, DerpRequestHead.Classify(SegmentedSequence.Create(bytes, segment), out var length));
            Assert.Equal(bytes.Length, length);
        }
    }

    [Fact]
    public void A_head_that_never_ends_is_given_up_at_the_limit()
    {
        var endless = Encoding.ASCII.GetBytes("GET /derp HTTP/1.1\r\n" + string.Concat(Enumerable.Repeat("X-Pad: aaaaaaaaaaaaaaaaaaaa\r\n", 400)));
        Assert.True(endless.Length > DerpRequestHead.MaxHeadBytes);

        Assert.Equal(DerpRequestHeadKind.NotDerp, DerpRequestHead.Classify(new ReadOnlySequence<byte>(endless), out _));
        Assert.Equal(DerpRequestHeadKind.NeedMore, DerpRequestHead.Classify(new ReadOnlySequence<byte>(endless, 0, DerpRequestHead.MaxHeadBytes - 1), out _));
    }

    [Fact]
    public void Mutated_and_random_input_never_throws_and_a_decision_on_a_prefix_is_final()
    {
        var random = new Random(1600);
        var seeds = new[] { Encoding.ASCII.GetBytes(GoClient), Encoding.ASCII.GetBytes(MeshDialer) };
        var alphabet = Encoding.ASCII.GetBytes("\r\n:, \tGETDERPderpUpgradeConnection/0\0\u00ff");
        int derp = 0, other = 0;
        for (var i = 0; i < 20_000; i++)
        {
            byte[] input;
            if (i % 4 == 0)
            {
                input = new byte[random.Next(0, 6000)];
                random.NextBytes(input);
            }
            else
            {
                var list = seeds[random.Next(seeds.Length)].ToList();
                for (var m = random.Next(1, 4); m > 0; m--)
                {
                    var at = random.Next(list.Count + 1);
                    switch (random.Next(3))
                    {
                        case 0 when at < list.Count: list.RemoveAt(at); break;
                        case 1 when at < list.Count: list[at] = alphabet[random.Next(alphabet.Length)]; break;
                        default: list.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                    }
                }

                input = [.. list];
            }

            var whole = DerpRequestHead.Classify(new ReadOnlySequence<byte>(input), out var length);
            if (whole == DerpRequestHeadKind.Derp)
            {
                derp++;
                Assert.InRange(length, 20, Math.Min(input.Length, DerpRequestHead.MaxHeadBytes));
                Assert.True(input.AsSpan(0, length).EndsWith("\r\n\r\n"u8));
            }
            else
            {
                other++;
            }

            var cut = random.Next(input.Length + 1);
            var prefix = DerpRequestHead.Classify(SegmentedSequence.Create(input.AsMemory(0, cut), 1 + random.Next(64)), out var prefixLength);
            if (prefix != DerpRequestHeadKind.NeedMore)
            {
                Assert.Equal(whole, prefix);
                Assert.Equal(length, prefixLength);
            }
        }

        Assert.True(derp > 100 && other > 100, $"{derp} / {other}");
    }
}
