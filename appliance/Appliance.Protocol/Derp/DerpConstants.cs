namespace Appliance.Protocol.Derp;

/// <summary>
/// Fixed sizes and limits of the DERP protocol (tailscale derp/derp.go: MaxPacketSize, keyLen, nonceLen,
/// frameHeaderLen, ProtocolVersion, Magic; derp/derpserver/derpserver.go: maxInfoLen, keep-alive timing).
/// </summary>
public static class DerpConstants
{
    /// <summary>Protocol version spoken and announced in ClientInfo/ServerInfo and the Derp-Version header. 2 since 2020 (RecvPacket carries the source key).</summary>
    public const int ProtocolVersion = 2;

    /// <summary>u8 type + u32 BE length.</summary>
    public const int FrameHeaderLength = 5;

    public const int KeyLength = 32;

    /// <summary>NaCl box nonce (XSalsa20).</summary>
    public const int NonceLength = 24;

    /// <summary>Largest relayed packet (derp.go MaxPacketSize = 64 &lt;&lt; 10).</summary>
    public const int MaxPacketSize = 64 << 10;

    /// <summary>Largest ClientInfo frame the server reads (derpserver.go maxInfoLen = 256 &lt;&lt; 10).</summary>
    public const int MaxClientInfoLength = 256 << 10;

    /// <summary>Largest ServerKey frame a client reads (derp_client.go reads up to 1 KiB).</summary>
    public const int MaxServerKeyLength = 1 << 10;

    /// <summary>Largest frame of any other type: a packet plus two keys leaves room for ForwardPacket.</summary>
    public const int MaxOtherFrameLength = MaxPacketSize + (2 * KeyLength);

    /// <summary>Ping payload size; the server accepts up to <see cref="MaxPingLength"/> and echoes the first 8.</summary>
    public const int PingLength = 8;

    public const int MaxPingLength = 1000;

    /// <summary>Health text limit: the frame stays small, and the client only shows it.</summary>
    public const int MaxHealthLength = 1 << 10;

    /// <summary>"DERP🔑" = 44 45 52 50 F0 9F 94 91, the start of the ServerKey frame.</summary>
    public static ReadOnlySpan<byte> Magic => [0x44, 0x45, 0x52, 0x50, 0xF0, 0x9F, 0x94, 0x91];

    /// <summary>Disco packets start with "TS💬" (tailscale disco/disco.go, Magic) followed by the sender's 32 B disco key and a 24 B nonce.</summary>
    public static ReadOnlySpan<byte> DiscoMagic => [0x54, 0x53, 0xF0, 0x9F, 0x92, 0xAC];

    /// <summary>Server keep-alive interval; derpserver.go adds a random 0–5 s so that many clients do not beat in step.</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(60);

    public static readonly TimeSpan KeepAliveJitter = TimeSpan.FromSeconds(5);

    /// <summary>The server allows this long for each handshake step (derpserver.go).</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>True when <paramref name="packet"/> looks like a disco message (disco.LooksLikeDiscoWrapper): magic + key + nonce at least.</summary>
    public static bool LooksLikeDisco(ReadOnlySpan<byte> packet) =>
        packet.Length >= DiscoMagic.Length + KeyLength + NonceLength && packet.StartsWith(DiscoMagic);
}
