namespace Appliance.Protocol.Noise;

/// <summary>
/// Constants of Tailscale's ts2021 control transport: Noise_IK_25519_ChaChaPoly_BLAKE2s with Tailscale's own framing.
/// Sources: tailscale control/controlbase/{messages,handshake,conn}.go. Keep docs/wire/noise.md in sync.
/// </summary>
public static class NoiseConstants
{
    /// <summary>The Noise protocol name; 33 bytes, so it is hashed (not padded) into the initial h (handshake.go protocolName).</summary>
    public const string ProtocolName = "Noise_IK_25519_ChaChaPoly_BLAKE2s";

    /// <summary>Mixed into h as the prologue, followed by the decimal protocol version (handshake.go protocolVersionPrefix).</summary>
    public const string ProloguePrefix = "Tailscale Control Protocol v";

    /// <summary>Every frame starts with u8 type · u16 BE length (messages.go headerLen).</summary>
    public const int HeaderLength = 3;

    /// <summary>X25519 key size.</summary>
    public const int KeySize = 32;

    /// <summary>ChaCha20-Poly1305 tag size (chacha20poly1305.Overhead).</summary>
    public const int TagSize = 16;

    /// <summary>Initiation: u16 BE version · u8 type=1 · u16 BE len=96 · 32 B ephemeral · 48 B sealed machine key · 16 B tag (messages.go initiationMessage).</summary>
    public const int InitiationSize = 2 + HeaderLength + InitiationPayloadLength;

    /// <summary>The length field of an initiation: 32 + 48 + 16.</summary>
    public const int InitiationPayloadLength = KeySize + KeySize + TagSize + TagSize;

    /// <summary>Response: u8 type=2 · u16 BE len=48 · 32 B ephemeral · 16 B tag (messages.go responseMessage).</summary>
    public const int ResponseSize = HeaderLength + ResponsePayloadLength;

    /// <summary>The length field of a response: 32 + 16.</summary>
    public const int ResponsePayloadLength = KeySize + TagSize;

    /// <summary>A whole transport record, header included, is at most 4096 bytes (conn.go maxMessageSize).</summary>
    public const int MaxMessageSize = 4096;

    /// <summary>4096 - 3 (conn.go maxCiphertextSize).</summary>
    public const int MaxCiphertextSize = MaxMessageSize - HeaderLength;

    /// <summary>4093 - 16 (conn.go maxPlaintextSize): writers split plaintext into chunks of at most this size.</summary>
    public const int MaxPlaintextSize = MaxCiphertextSize - TagSize;

    /// <summary>
    /// The lowest capability version the server accepts: 113 = Tailscale v1.80.0, headscale's floor
    /// (hscontrol/capver/capver.go MinSupportedCapabilityVersion).
    /// </summary>
    public const int MinimumSupportedVersion = 113;

    /// <summary>The prologue text for a protocol version, e.g. "Tailscale Control Protocol v133" (handshake.go protocolVersionPrologue).</summary>
    public static string Prologue(ushort version) =>
        ProloguePrefix + version.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
