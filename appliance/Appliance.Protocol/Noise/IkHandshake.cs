namespace Appliance.Protocol.Noise;

/// <summary>
/// The two IK messages without Tailscale's headers, with payloads, so the same code runs both the ts2021 handshake
/// (empty payloads, framed by <see cref="NoiseInitiator"/> and <see cref="NoiseResponder"/>) and the Noise spec's own
/// test vectors (any prologue, non-empty payloads). Noise spec §7.5: IK = <c>&lt;- s ... -> e, es, s, ss  &lt;- e, ee, se</c>.
/// </summary>
internal static class IkHandshake
{
    private const int KeySize = NoiseConstants.KeySize;
    private const int TagSize = NoiseConstants.TagSize;

    public static int MessageASize(int payloadLength) => KeySize + KeySize + TagSize + payloadLength + TagSize;

    public static int MessageBSize(int payloadLength) => KeySize + payloadLength + TagSize;

    /// <summary>Initiator: e, es, s, ss, payload. False if a DH fails (an unusable responder key).</summary>
    public static bool WriteA(SymmetricState state, X25519Key ephemeral, X25519Key staticKey, ReadOnlySpan<byte> responderStatic, ReadOnlySpan<byte> payload, Span<byte> message)
    {
        var e = message[..KeySize];
        ephemeral.Public.CopyTo(e);
        state.MixHash(e);
        if (!state.MixDh(ephemeral, responderStatic))
        {
            return false;
        }

        state.EncryptAndHash(staticKey.Public, message.Slice(KeySize, KeySize + TagSize));
        if (!state.MixDh(staticKey, responderStatic))
        {
            return false;
        }

        state.EncryptAndHash(payload, message.Slice(KeySize + KeySize + TagSize, payload.Length + TagSize));
        return true;
    }

    /// <summary>Responder: reads message A, learning the initiator's ephemeral and static keys and its payload.</summary>
    public static NoiseHandshakeRefusal ReadA(SymmetricState state, X25519Key staticKey, ReadOnlySpan<byte> message, Span<byte> initiatorEphemeral, Span<byte> initiatorStatic, Span<byte> payload)
    {
        var e = message[..KeySize];
        e.CopyTo(initiatorEphemeral);
        state.MixHash(e);
        if (!state.MixDh(staticKey, e))
        {
            return NoiseHandshakeRefusal.BadKey;
        }

        if (!state.DecryptAndHash(message.Slice(KeySize, KeySize + TagSize), initiatorStatic))
        {
            return NoiseHandshakeRefusal.DecryptFailed;
        }

        if (!state.MixDh(staticKey, initiatorStatic))
        {
            return NoiseHandshakeRefusal.BadKey;
        }

        if (!state.DecryptAndHash(message[(KeySize + KeySize + TagSize)..], payload))
        {
            return NoiseHandshakeRefusal.DecryptFailed;
        }

        return NoiseHandshakeRefusal.None;
    }

    /// <summary>Responder: e, ee, se, payload.</summary>
    public static bool WriteB(SymmetricState state, X25519Key ephemeral, ReadOnlySpan<byte> initiatorEphemeral, ReadOnlySpan<byte> initiatorStatic, ReadOnlySpan<byte> payload, Span<byte> message)
    {
        var e = message[..KeySize];
        ephemeral.Public.CopyTo(e);
        state.MixHash(e);
        if (!state.MixDh(ephemeral, initiatorEphemeral) || !state.MixDh(ephemeral, initiatorStatic))
        {
            return false;
        }

        state.EncryptAndHash(payload, message.Slice(KeySize, payload.Length + TagSize));
        return true;
    }

    /// <summary>Initiator: reads message B. False if it does not authenticate.</summary>
    public static bool ReadB(SymmetricState state, X25519Key ephemeral, X25519Key staticKey, ReadOnlySpan<byte> message, Span<byte> payload)
    {
        var e = message[..KeySize];
        state.MixHash(e);
        return state.MixDh(ephemeral, e)
            && state.MixDh(staticKey, e)
            && state.DecryptAndHash(message[KeySize..], payload);
    }

    // Raw-key forms for the Noise spec's test vectors, which give private keys as bytes.

    public static bool WriteA(SymmetricState state, ReadOnlySpan<byte> ephemeralPrivate, ReadOnlySpan<byte> staticPrivate, ReadOnlySpan<byte> responderStatic, ReadOnlySpan<byte> payload, Span<byte> message)
    {
        using var ephemeral = X25519Key.Import(ephemeralPrivate);
        using var staticKey = X25519Key.Import(staticPrivate);
        return WriteA(state, ephemeral, staticKey, responderStatic, payload, message);
    }

    public static NoiseHandshakeRefusal ReadA(SymmetricState state, ReadOnlySpan<byte> staticPrivate, ReadOnlySpan<byte> message, Span<byte> initiatorEphemeral, Span<byte> initiatorStatic, Span<byte> payload)
    {
        using var staticKey = X25519Key.Import(staticPrivate);
        return ReadA(state, staticKey, message, initiatorEphemeral, initiatorStatic, payload);
    }

    public static bool WriteB(SymmetricState state, ReadOnlySpan<byte> ephemeralPrivate, ReadOnlySpan<byte> initiatorEphemeral, ReadOnlySpan<byte> initiatorStatic, ReadOnlySpan<byte> payload, Span<byte> message)
    {
        using var ephemeral = X25519Key.Import(ephemeralPrivate);
        return WriteB(state, ephemeral, initiatorEphemeral, initiatorStatic, payload, message);
    }

    public static bool ReadB(SymmetricState state, ReadOnlySpan<byte> ephemeralPrivate, ReadOnlySpan<byte> staticPrivate, ReadOnlySpan<byte> message, Span<byte> payload)
    {
        using var ephemeral = X25519Key.Import(ephemeralPrivate);
        using var staticKey = X25519Key.Import(staticPrivate);
        return ReadB(state, ephemeral, staticKey, message, payload);
    }
}
