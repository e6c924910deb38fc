using System.Buffers.Binary;
using Appliance.Protocol.Keys;

namespace Appliance.Protocol.Noise;

/// <summary>
/// The server side of Noise_IK_25519_ChaChaPoly_BLAKE2s as Tailscale runs it (control/controlbase/handshake.go Server):
/// <code>
/// h = BLAKE2s(name), ck = h; MixHash(prologue + version); MixHash(server static)        (&lt;- s)
/// -> e, es, s, ss : MixHash(e_c); MixKey(DH(s_s, e_c)); DecryptAndHash(machine key); MixKey(DH(s_s, s_c)); DecryptAndHash(tag)
/// &lt;- e, ee, se : MixHash(e_s); MixKey(DH(e_s, e_c)); MixKey(DH(e_s, s_c)); EncryptAndHash(empty) → tag
/// Split → k1 (client → server), k2 (server → client)
/// </code>
/// Trust model: the client knows the server's static key in advance (GET /key); the server learns the client's machine
/// key from the initiation and, once the tag verifies, knows the client holds its private half.
/// </summary>
public static class NoiseResponder
{
    /// <summary>
    /// Runs the responder over a complete initiation. On success the 51-byte response is in
    /// <paramref name="accepted"/>; otherwise <paramref name="refusal"/> says why and nothing else happened.
    /// </summary>
    /// <param name="serverStatic">The server's static key, imported once per process and shared by every handshake.</param>
    /// <param name="ephemeralPrivate">Only for test vectors: the responder's ephemeral private key. Empty = random.</param>
    public static bool TryRespond(
        NoiseStaticKey serverStatic,
        ReadOnlySpan<byte> initiation,
        out NoiseAcceptedHandshake? accepted,
        out NoiseHandshakeRefusal refusal,
        ReadOnlySpan<byte> ephemeralPrivate = default)
    {
        ArgumentNullException.ThrowIfNull(serverStatic);
        accepted = null;
        refusal = NoiseInitiation.Validate(initiation);
        if (refusal != NoiseHandshakeRefusal.None)
        {
            return false;
        }

        var version = BinaryPrimitives.ReadUInt16BigEndian(initiation);
        var state = SymmetricState.ForVersion(version, serverStatic.Key.Public);

        // -> e, es, s, ss
        Span<byte> clientEphemeral = stackalloc byte[NoiseConstants.KeySize];
        Span<byte> machineKey = stackalloc byte[NoiseConstants.KeySize];
        refusal = IkHandshake.ReadA(state, serverStatic.Key, initiation[NoiseInitiation.EphemeralOffset..], clientEphemeral, machineKey, Span<byte>.Empty);
        if (refusal != NoiseHandshakeRefusal.None)
        {
            return false;
        }

        // <- e, ee, se. The ephemeral is created inside libsodium and never exported.
        var response = new byte[NoiseConstants.ResponseSize];
        response[0] = (byte)NoiseMessageType.Response;
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(1), NoiseConstants.ResponsePayloadLength);
        bool written;
        using (var ephemeral = X25519Key.ImportOrGenerate(ephemeralPrivate))
        {
            written = IkHandshake.WriteB(state, ephemeral, clientEphemeral, machineKey, ReadOnlySpan<byte>.Empty, response.AsSpan(NoiseConstants.HeaderLength));
        }

        if (!written)
        {
            refusal = NoiseHandshakeRefusal.BadKey;
            return false;
        }

        var hash = state.HandshakeHash.ToArray();
        Span<byte> k1 = stackalloc byte[NoiseConstants.KeySize];
        Span<byte> k2 = stackalloc byte[NoiseConstants.KeySize];
        state.Split(k1, k2);
        var keys = new NoiseSessionKeys(send: new NoiseCipherState(k2), receive: new NoiseCipherState(k1), hash, version);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(k1);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(k2);

        accepted = new NoiseAcceptedHandshake(response, MachinePublic.FromRaw(machineKey), version, keys);
        return true;
    }

    /// <summary>One-off form that imports <paramref name="serverStatic"/> for this call only (tests, tools); servers keep a <see cref="NoiseStaticKey"/>.</summary>
    public static bool TryRespond(
        MachinePrivate serverStatic,
        ReadOnlySpan<byte> initiation,
        out NoiseAcceptedHandshake? accepted,
        out NoiseHandshakeRefusal refusal,
        ReadOnlySpan<byte> ephemeralPrivate = default)
    {
        using var key = new NoiseStaticKey(serverStatic);
        return TryRespond(key, initiation, out accepted, out refusal, ephemeralPrivate);
    }
}

/// <summary>A handshake the responder accepted: the response to send, who the client is, and the session keys.</summary>
public sealed class NoiseAcceptedHandshake
{
    internal NoiseAcceptedHandshake(byte[] response, MachinePublic clientMachineKey, ushort version, NoiseSessionKeys keys)
    {
        Response = response;
        ClientMachineKey = clientMachineKey;
        Version = version;
        Keys = keys;
    }

    /// <summary>The 51-byte response frame.</summary>
    public ReadOnlyMemory<byte> Response { get; }

    /// <summary>The client's machine key, proven by the handshake.</summary>
    public MachinePublic ClientMachineKey { get; }

    /// <summary>The protocol (capability) version from the initiation header.</summary>
    public ushort Version { get; }

    public NoiseSessionKeys Keys { get; }
}
