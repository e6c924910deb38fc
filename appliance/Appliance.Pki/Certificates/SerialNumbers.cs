using System.Security.Cryptography;

namespace Appliance.Pki.Certificates;

/// <summary>
/// Certificate serial numbers: 16 random bytes, top bit cleared so the DER INTEGER is positive and at most 20 octets
/// (RFC 5280 §4.1.2.2); random serials also defeat chosen-prefix collision games (CA/B Forum BR §7.1).
/// </summary>
public static class SerialNumbers
{
    /// <summary>Hex digits of every serial this CA issues (16 bytes, no leading zero byte).</summary>
    public const int HexLength = 32;

    public static byte[] Next()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01; // never a leading zero byte, so the hex form is stable at 32 digits
        return serial;
    }
}
