namespace Appliance.Protocol.Stun;

/// <summary>
/// STUN (RFC 5389) values used by Tailscale (tailscale net/stun/stun.go). Header:
/// <code>
/// 0      2        4              8                     20
/// | type | length | cookie       | transaction ID (12) | attributes (length bytes, each padded to 4)
/// </code>
/// Attribute: u16 BE type · u16 BE length · value · padding to a multiple of 4.
/// </summary>
public static class StunConstants
{
    public const int HeaderLength = 20;
    public const int TransactionIdLength = 12;
    public const uint MagicCookie = 0x2112A442;
    public const ushort BindingRequest = 0x0001;
    public const ushort BindingSuccess = 0x0101;
    public const ushort AttrMappedAddress = 0x0001;
    public const ushort AttrXorMappedAddress = 0x0020;

    /// <summary>Some old servers used 0x8020 for XOR-MAPPED-ADDRESS; the client accepts it.</summary>
    public const ushort AttrXorMappedAddressAlt = 0x8020;
    public const ushort AttrSoftware = 0x8022;
    public const ushort AttrFingerprint = 0x8028;

    /// <summary>FINGERPRINT = CRC-32/IEEE of the message up to it, XOR "STUN" (RFC 5389 §15.5).</summary>
    public const uint FingerprintXor = 0x5354554E;

    /// <summary>Default UDP port.</summary>
    public const int DefaultPort = 3478;

    /// <summary>The SOFTWARE value every Tailscale client sends; anything else is refused (stun.go software).</summary>
    public static ReadOnlySpan<byte> TailscaleSoftware => "tailnode"u8;

    public const byte FamilyIPv4 = 0x01;
    public const byte FamilyIPv6 = 0x02;
}
