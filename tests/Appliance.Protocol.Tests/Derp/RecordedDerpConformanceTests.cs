using System.Buffers;
using System.Text;
using System.Text.Json;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Derp;

namespace Appliance.Protocol.Tests.Derp;

/// <summary>Recorded exchanges of a real Tailscale v1.96.5 client with derper v1.96.5 (../shared/conformance/real-client/derp).</summary>
public class RecordedDerpConformanceTests
{
    public static TheoryData<string> Connections() => new(RecordedDerp.ConnectionFiles);

    private static NodePrivate DerperPrivate()
    {
        using var keys = RecordedDerp.LoadKeys();
        return NodePrivate.FromRaw(keys.RootElement.Hex("derper_private"));
    }

    private static NodePrivate ClientPrivate(JsonElement connection)
    {
        using var keys = RecordedDerp.LoadKeys();
        var node = connection.GetProperty("client_node").GetString()!;
        return NodePrivate.FromRaw(keys.RootElement.GetProperty("nodes").GetProperty(node).Hex("node_private"));
    }

    [Theory]
    [MemberData(nameof(Connections))]
    public void Both_recorded_byte_streams_parse_into_exactly_the_recorded_frames(string file)
    {
        using var doc = RecordedDerp.LoadConnection(file);
        var root = doc.RootElement;
        foreach (var direction in new[] { "c2s", "s2c" })
        {
            var expected = root.GetProperty("frames").EnumerateArray()
                .Where(f => f.GetProperty("dir").GetString() == direction)
                .OrderBy(f => f.GetProperty("offset").GetInt32())
                .Select(f => (Type: (DerpFrameType)f.GetProperty("type").GetInt32(), Frame: f.Hex("frame")))
                .ToList();
            var buffer = SegmentedSequence.Create(RecordedDerp.FrameStream(root, direction), 7);
            var actual = new List<(DerpFrameType, byte[])>();
            while (DerpFrameReader.TryReadFrame(ref buffer, out var frame))
            {
                var bytes = new byte[DerpConstants.FrameHeaderLength + frame.Length];
                Assert.True(DerpFrameWriter.TryWriteFrame(bytes, frame.Type, frame.Payload.ToArray(), out _));
                actual.Add((frame.Type, bytes));
            }

            Assert.Equal(0, buffer.Length);
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Type, actual[i].Item1);
                Assert.Equal(expected[i].Frame, actual[i].Item2);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Connections))]
    public void The_recorded_ServerKey_carries_the_magic_and_derpers_public_key(string file)
    {
        using var doc = RecordedDerp.LoadConnection(file);
        var frame = FirstFrame(doc.RootElement, DerpFrameType.ServerKey);
        Assert.True(DerpFramePayloads.TryParseServerKey(frame.AsSpan(5), out var serverKey));
        Assert.Equal(DerperPrivate().Public, serverKey);
    }

    [Theory]
    [MemberData(nameof(Connections))]
    public void The_recorded_ClientInfo_box_opens_with_the_recorded_derper_private_key(string file)
    {
        using var doc = RecordedDerp.LoadConnection(file);
        var root = doc.RootElement;
        var frame = FirstFrame(root, DerpFrameType.ClientInfo);

        var result = DerpHandshakeBox.TryOpenClientInfo(frame.AsSpan(5), DerperPrivate(), out var client, out var info);

        Assert.Equal(DerpBoxResult.Ok, result);
        Assert.Equal(ClientPrivate(root).Public, client);
        Assert.Equal(2, info!.Version);
        Assert.True(info.CanAckPings);
        Assert.Null(info.MeshKey);
    }

    [Theory]
    [MemberData(nameof(Connections))]
    public void Resealing_the_recorded_ClientInfo_with_its_nonce_reproduces_the_box_byte_for_byte(string file)
    {
        using var doc = RecordedDerp.LoadConnection(file);
        var root = doc.RootElement;
        var recorded = root.GetProperty("frames").EnumerateArray().First(f => f.GetProperty("type").GetInt32() == 2);
        var nonce = recorded.Hex("nonce");
        var box = recorded.Hex("box");
        var plain = Encoding.UTF8.GetBytes(recorded.GetProperty("decrypted").GetString()!);

        var resealed = new byte[plain.Length + NaclBox.TagLength];
        NaclBox.Seal(resealed, plain, nonce, DerperPrivate().Public.Raw, ClientPrivate(root).Raw);

        Assert.Equal(box, resealed);
    }

    [Theory]
    [MemberData(nameof(Connections))]
    public void The_recorded_ServerInfo_opens_with_the_client_key_and_reseals_identically(string file)
    {
        using var doc = RecordedDerp.LoadConnection(file);
        var root = doc.RootElement;
        var frame = FirstFrame(root, DerpFrameType.ServerInfo);
        var derper = DerperPrivate();
        var client = ClientPrivate(root);

        Assert.Equal(DerpBoxResult.Ok, DerpHandshakeBox.TryOpenServerInfo(frame.AsSpan(5), client, derper.Public, out var info));
        Assert.Equal(2, info!.Version);

        var nonce = frame.AsSpan(5, 24).ToArray();
        var plain = "{\"version\":2}"u8.ToArray();
        var shared = new byte[NaclBox.SharedKeyLength];
        Assert.True(NaclBox.TryPrecompute(shared, client.Public.Raw, derper.Raw));
        var resealed = new byte[plain.Length + NaclBox.TagLength];
        NaclBox.SealAfterPrecompute(resealed, plain, nonce, shared);
        Assert.Equal(frame[(5 + 24)..], resealed);
    }

    [Fact]
    public void Our_ServerInfo_serialises_like_derpers()
    {
        Assert.Equal("{\"version\":2}", JsonSerializer.Serialize(new DerpServerInfo(), DerpJsonContext.Default.DerpServerInfo));
        Assert.Equal("{\"version\":2,\"CanAckPings\":true}", JsonSerializer.Serialize(new DerpClientInfo { CanAckPings = true }, DerpJsonContext.Default.DerpClientInfo));
    }

    [Fact]
    public void A_ClientInfo_sealed_here_opens_on_the_server_side_and_any_tampered_byte_is_refused()
    {
        var server = NodePrivate.Generate();
        var client = NodePrivate.Generate();
        var payload = DerpHandshakeBox.SealClientInfo(new DerpClientInfo { CanAckPings = true }, client, server.Public);

        Assert.Equal(DerpBoxResult.Ok, DerpHandshakeBox.TryOpenClientInfo(payload, server, out var key, out _));
        Assert.Equal(client.Public, key);

        for (var i = 0; i < payload.Length; i++)
        {
            var tampered = (byte[])payload.Clone();
            tampered[i] ^= 0x01;
            Assert.NotEqual(DerpBoxResult.Ok, DerpHandshakeBox.TryOpenClientInfo(tampered, server, out _, out _));
        }

        for (var length = 0; length < 32 + 24 + 16; length++)
        {
            Assert.Equal(DerpBoxResult.TooShort, DerpHandshakeBox.TryOpenClientInfo(payload.AsSpan(0, length), server, out _, out _));
        }

        Assert.Equal(DerpBoxResult.BoxDidNotOpen, DerpHandshakeBox.TryOpenClientInfo(payload, NodePrivate.Generate(), out _, out _));
    }

    [Fact]
    public void A_box_that_opens_but_holds_no_JSON_object_is_refused_as_bad_json()
    {
        var server = NodePrivate.Generate();
        var client = NodePrivate.Generate();
        var plain = "not json"u8.ToArray();
        var payload = new byte[32 + 24 + 16 + plain.Length];
        client.Public.CopyTo(payload);
        NaclBox.Seal(payload.AsSpan(56), plain, payload.AsSpan(32, 24), server.Public.Raw, client.Raw);

        Assert.Equal(DerpBoxResult.BadJson, DerpHandshakeBox.TryOpenClientInfo(payload, server, out _, out _));
    }

    private static byte[] FirstFrame(JsonElement root, DerpFrameType type) =>
        root.GetProperty("frames").EnumerateArray().First(f => f.GetProperty("type").GetInt32() == (int)type).Hex("frame");
}
