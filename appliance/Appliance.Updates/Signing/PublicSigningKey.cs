using NSec.Cryptography;

namespace Appliance.Updates.Signing;

/// <summary>An Ed25519 public key with its <see cref="KeyId"/>. Verification uses NSec (libsodium).</summary>
public sealed class PublicSigningKey
{
    public const int Size = 32;
    public const int SignatureSize = 64;

    private readonly PublicKey _key;

    private PublicSigningKey(PublicKey key, byte[] raw)
    {
        _key = key;
        Raw = raw;
        Id = KeyId.FromPublicKey(raw);
    }

    public KeyId Id { get; }

    public ReadOnlyMemory<byte> Raw { get; }

    public string ToBase64() => Convert.ToBase64String(Raw.Span);

    public static bool TryImport(ReadOnlySpan<byte> raw, out PublicSigningKey? key)
    {
        key = null;
        if (raw.Length != Size || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, raw, KeyBlobFormat.RawPublicKey, out var imported) || imported is null)
        {
            return false;
        }

        key = new PublicSigningKey(imported, raw.ToArray());
        return true;
    }

    public static bool TryParseBase64(string? text, out PublicSigningKey? key)
    {
        key = null;
        if (text is null || text.Length > 64)
        {
            return false;
        }

        Span<byte> raw = stackalloc byte[48];
        return Convert.TryFromBase64String(text, raw, out var n) && n == Size && TryImport(raw[..n], out key);
    }

    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureSize && SignatureAlgorithm.Ed25519.Verify(_key, message, signature);
}
