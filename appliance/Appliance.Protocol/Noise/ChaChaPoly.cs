using NSec.Cryptography;

namespace Appliance.Protocol.Noise;

/// <summary>ChaCha20-Poly1305 (IETF, 96-bit nonce) through NSec, for the single-use handshake keys.</summary>
internal static class ChaChaPoly
{
    public static Key ImportKey(ReadOnlySpan<byte> key) =>
        Key.Import(AeadAlgorithm.ChaCha20Poly1305, key, KeyBlobFormat.RawSymmetricKey);

    /// <summary>Seal with nonce 0 (each handshake key is used exactly once: handshake.go singleUseCHP).</summary>
    public static void SealOnce(ReadOnlySpan<byte> key, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        using var k = ImportKey(key);
        Span<byte> nonce = stackalloc byte[12];
        nonce.Clear();
        AeadAlgorithm.ChaCha20Poly1305.Encrypt(k, nonce, associatedData, plaintext, ciphertext);
    }

    public static bool OpenOnce(ReadOnlySpan<byte> key, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        using var k = ImportKey(key);
        Span<byte> nonce = stackalloc byte[12];
        nonce.Clear();
        return AeadAlgorithm.ChaCha20Poly1305.Decrypt(k, nonce, associatedData, ciphertext, plaintext);
    }
}
