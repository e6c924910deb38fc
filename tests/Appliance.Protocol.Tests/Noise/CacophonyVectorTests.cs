using System.Buffers.Binary;
using System.Text.Json;
using Appliance.Protocol.Noise;
using Appliance.TestKit;
using NSec.Cryptography;

namespace Appliance.Protocol.Tests.Noise;

/// <summary>
/// The published Noise_IK_25519_ChaChaPoly_BLAKE2s vector (Cacophony, as shipped by snow), an independent check of
/// the handshake core. Adjusted for Tailscale: the vector's prologue and payloads go through the same IkHandshake the
/// ts2021 framing wraps, and its transport messages match the big-endian nonce exactly where the counter is 0 and
/// differ where it is not (the Noise spec's nonce is little-endian; Tailscale's is big-endian).
/// </summary>
public sealed class CacophonyVectorTests
{
    private static readonly JsonElement Vector = Load();

    [Fact]
    public void Handshake_messages_and_hash_match_the_published_vector()
    {
        var (initiatorState, responderState, messages) = RunHandshake();

        Assert.Equal(Hex("handshake_hash"), initiatorState.HandshakeHash.ToArray());
        Assert.Equal(Hex("handshake_hash"), responderState.HandshakeHash.ToArray());
        Assert.Equal(2, messages.Count);
    }

    [Fact]
    public void Transport_messages_with_counter_zero_match_and_later_ones_differ_only_by_nonce_byte_order()
    {
        var (initiatorState, responderState, _) = RunHandshake();
        Span<byte> k1 = stackalloc byte[32];
        Span<byte> k2 = stackalloc byte[32];
        initiatorState.Split(k1, k2);
        using var initiatorSend = new NoiseCipherState(k1);
        using var responderSend = new NoiseCipherState(k2);
        var k1Copy = k1.ToArray();
        var k2Copy = k2.ToArray();

        var transport = Vector.GetProperty("messages").EnumerateArray().Skip(2).ToList();
        Assert.True(transport.Count >= 4);
        for (var i = 0; i < transport.Count; i++)
        {
            var payload = Convert.FromHexString(transport[i].GetProperty("payload").GetString()!);
            var expected = Convert.FromHexString(transport[i].GetProperty("ciphertext").GetString()!);
            var fromInitiator = i % 2 == 0;
            var counter = (ulong)(i / 2);
            var ours = new byte[payload.Length + NoiseConstants.TagSize];
            (fromInitiator ? initiatorSend : responderSend).Seal(payload, ours);

            if (counter == 0)
            {
                Assert.Equal(expected, ours);
            }
            else
            {
                Assert.NotEqual(expected, ours);
                Assert.Equal(expected, SealLittleEndian(fromInitiator ? k1Copy : k2Copy, counter, payload));
                Assert.Equal(ours, SealBigEndian(fromInitiator ? k1Copy : k2Copy, counter, payload));
            }
        }

        _ = responderState;
    }

    private static (SymmetricState Initiator, SymmetricState Responder, List<byte[]> Messages) RunHandshake()
    {
        var prologue = Hex("init_prologue");
        var initStatic = Hex("init_static");
        var initEphemeral = Hex("init_ephemeral");
        var respStatic = Hex("resp_static");
        var respEphemeral = Hex("resp_ephemeral");
        Assert.Equal(prologue, Hex("resp_prologue"));

        var respStaticPublic = new byte[32];
        using (var k = Key.Import(KeyAgreementAlgorithm.X25519, respStatic, KeyBlobFormat.RawPrivateKey))
        {
            k.PublicKey.Export(KeyBlobFormat.RawPublicKey).CopyTo(respStaticPublic, 0);
        }

        Assert.Equal(Hex("init_remote_static"), respStaticPublic);
        var initiator = new SymmetricState(prologue, respStaticPublic);
        var responder = new SymmetricState(prologue, respStaticPublic);
        var vectorMessages = Vector.GetProperty("messages").EnumerateArray().ToList();

        // Message A: initiator → responder.
        var payloadA = Convert.FromHexString(vectorMessages[0].GetProperty("payload").GetString()!);
        var messageA = new byte[IkHandshake.MessageASize(payloadA.Length)];
        Assert.True(IkHandshake.WriteA(initiator, initEphemeral, initStatic, respStaticPublic, payloadA, messageA));
        Assert.Equal(Convert.FromHexString(vectorMessages[0].GetProperty("ciphertext").GetString()!), messageA);

        var re = new byte[32];
        var rs = new byte[32];
        var readPayloadA = new byte[payloadA.Length];
        Assert.Equal(NoiseHandshakeRefusal.None, IkHandshake.ReadA(responder, respStatic, messageA, re, rs, readPayloadA));
        Assert.Equal(payloadA, readPayloadA);

        // Message B: responder → initiator.
        var payloadB = Convert.FromHexString(vectorMessages[1].GetProperty("payload").GetString()!);
        var messageB = new byte[IkHandshake.MessageBSize(payloadB.Length)];
        Assert.True(IkHandshake.WriteB(responder, respEphemeral, re, rs, payloadB, messageB));
        Assert.Equal(Convert.FromHexString(vectorMessages[1].GetProperty("ciphertext").GetString()!), messageB);

        var readPayloadB = new byte[payloadB.Length];
        Assert.True(IkHandshake.ReadB(initiator, initEphemeral, initStatic, messageB, readPayloadB));
        Assert.Equal(payloadB, readPayloadB);
        return (initiator, responder, [messageA, messageB]);
    }

    private static byte[] SealLittleEndian(byte[] key, ulong counter, byte[] payload) => Seal(key, payload, nonce => BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], counter));

    private static byte[] SealBigEndian(byte[] key, ulong counter, byte[] payload) => Seal(key, payload, nonce => BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], counter));

    private delegate void NonceWriter(Span<byte> nonce);

    private static byte[] Seal(byte[] key, byte[] payload, NonceWriter writeNonce)
    {
        using var k = Key.Import(AeadAlgorithm.ChaCha20Poly1305, key, KeyBlobFormat.RawSymmetricKey);
        var nonce = new byte[12];
        writeNonce(nonce);
        return AeadAlgorithm.ChaCha20Poly1305.Encrypt(k, nonce, ReadOnlySpan<byte>.Empty, payload);
    }

    private static byte[] Hex(string property) => Convert.FromHexString(Vector.GetProperty(property).GetString()!);

    private static JsonElement Load()
    {
        var path = Path.Combine(RepoPaths.RepoRoot, "tests", "Appliance.Protocol.Tests", "Noise", "testdata", "cacophony-ik-25519-chachapoly-blake2s.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("vector").Clone();
    }
}
