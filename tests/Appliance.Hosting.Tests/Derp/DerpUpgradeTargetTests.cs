using System.Buffers;
using System.Text;
using Appliance.Hosting.Derp.Upgrade;
using Appliance.Protocol.Http;
using Appliance.TestKit.Derp;

namespace Appliance.Hosting.Tests.Derp;

/// <summary>
/// The DERP target's decision on the head the dispatcher's reader parsed: Tailscale's client head is taken whole and in
/// any split; anything else (another method, a WebSocket, anything the reader refuses) is left to Kestrel and the
/// /derp endpoint; mutated input never throws and a taken head always ends within the bytes.
/// </summary>
public sealed class DerpUpgradeTargetTests
{
    // What derphttp_client.go writes (net/http Request.Write: Host, User-Agent, then the set headers) and what our mesh dialer writes.
    private const string GoClient = "GET /derp HTTP/1.1\r\nHost: derp.example:443\r\nUser-Agent: Go-http-client/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n";
    private const string MeshDialer = "GET /derp HTTP/1.1\r\nHost: 127.0.0.2:8443\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n";

    private static readonly UpgradeHeadReader Reader = new(["/ts2021", "/derp"]);

    /// <summary>The head's length when the reader parses it and the DERP target takes it; 0 when it goes to Kestrel.</summary>
    private static int Taken(ReadOnlySequence<byte> bytes) =>
        Reader.Read(bytes, out var head) == UpgradeHeadStatus.Parsed && head!.Target == "/derp" && DerpUpgradeTarget.IsDerpUpgrade(head) ? head.Length : 0;

    private static int Taken(string text) => Taken(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)));

    [Theory]
    [InlineData(GoClient)]
    [InlineData(MeshDialer)]
    [InlineData("GET /derp HTTP/1.1\r\nupgrade:derp\r\nCONNECTION: keep-alive, Upgrade\r\nContent-Length: 0\r\n\r\n")]
    public void A_DERP_client_head_is_taken_with_its_length(string head) =>
        Assert.Equal(head.Length, Taken(head + "\u0002rest"));

    [Theory]
    [InlineData("GET /derp/probe HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: derp\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nUpgrade: DERP\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.0\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n")]
    [InlineData("GET /derpx HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n")]
    [InlineData("POST /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n")]
    [InlineData("get /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n")]
    [InlineData("GET /ts2021 HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\nContent-Length: 5\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\n Upgrade: DERP\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade : DERP\r\n\r\n")]
    [InlineData("GET /derp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: DERP\r\nUpgrade: h2c\r\n\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("\u0016\u0003\u0001")]
    public void Anything_else_is_left_to_the_HTTP_pipeline(string head) => Assert.Equal(0, Taken(head));

    [Fact]
    public void Every_split_of_a_DERP_head_gives_the_same_answer()
    {
        var bytes = Encoding.ASCII.GetBytes(GoClient);
        for (var segment = 1; segment <= 17; segment++)
        {
            Assert.Equal(bytes.Length, Taken(SegmentedSequence.Create(bytes, segment)));
        }
    }

    [Fact]
    public void Mutated_heads_never_throw_and_a_taken_head_ends_within_the_bytes()
    {
        var random = new Random(1600);
        var seeds = new[] { Encoding.ASCII.GetBytes(GoClient), Encoding.ASCII.GetBytes(MeshDialer) };
        var alphabet = Encoding.ASCII.GetBytes("\r\n:, \tGETDERPderpUpgradeConnection/0\0\u00ff");
        int taken = 0, other = 0;
        for (var i = 0; i < 20_000; i++)
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

            byte[] input = [.. list];
            var length = Taken(new ReadOnlySequence<byte>(input));
            if (length > 0)
            {
                taken++;
                Assert.InRange(length, 20, Math.Min(input.Length, UpgradeHeadReader.MaxHeadBytes));
                Assert.True(input.AsSpan(0, length).EndsWith("\r\n\r\n"u8));
            }
            else
            {
                other++;
            }
        }

        Assert.True(taken > 100 && other > 100, $"{taken} / {other}");
    }
}
