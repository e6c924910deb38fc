using System.Security.Cryptography;

namespace Appliance.Updates.Signing;

/// <summary>
/// A key's identity: SHA-256 of its 32-byte raw Ed25519 public key (TUF uses a hash of the key for the same
/// reason: one stable name per key, so "a key counts once" can be checked by comparing ids). Text form is 64
/// lowercase hex digits; binary form (in a bundle's signature block) is the 32 raw bytes.
/// </summary>
public readonly record struct KeyId
{
    public const int Size = 32;

    private readonly string _hex;

    private KeyId(string hex) => _hex = hex;

    public static KeyId FromPublicKey(ReadOnlySpan<byte> rawPublicKey) =>
        new(Convert.ToHexStringLower(SHA256.HashData(rawPublicKey)));

    public static KeyId FromBytes(ReadOnlySpan<byte> id) =>
        id.Length == Size ? new(Convert.ToHexStringLower(id)) : throw new ArgumentException("A key id is 32 bytes.", nameof(id));

    public static bool TryParse(string? hex, out KeyId id)
    {
        id = default;
        if (hex is null || hex.Length != Size * 2 || !hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            return false;
        }

        id = new KeyId(hex);
        return true;
    }

    public byte[] ToBytes() => Convert.FromHexString(_hex);

    /// <summary>The first 16 hex digits, enough for an operator to tell keys apart in messages.</summary>
    public string Abbreviated => (_hex ?? string.Empty).Length >= 16 ? _hex![..16] : _hex ?? string.Empty;

    public override string ToString() => _hex ?? string.Empty;
}
