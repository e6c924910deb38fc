using NSec.Cryptography;
using Bcl = System.Security.Cryptography;

namespace Appliance.Protocol.Noise;

/// <summary>
/// ChaCha20-Poly1305 (IETF, 96-bit nonce). The transport's keys (<see cref="NoiseCipherState"/>) take the same BCL-first path.
/// The handshake's three single-use keys go through the BCL's ChaCha20Poly1305 (OpenSSL on Linux, which the
/// appliance already needs for TLS) when the platform has it: an NSec key lives in guarded memory, and creating
/// one measured ~120 µs of CPU against ~2 µs for a BCL instance, a third of a handshake's cost. Same algorithm and
/// wire bytes either way (the Noise vector tests run whichever path the machine takes).
/// </summary>
internal static class ChaChaPoly
{
    private const int NonceSize = 12;
    private const int TagSize = NoiseConstants.TagSize;

    public static Key ImportKey(ReadOnlySpan<byte> key) =>
        Key.Import(AeadAlgorithm.ChaCha20Poly1305, key, KeyBlobFormat.RawSymmetricKey);

    /// <summary>Seal with nonce 0 (each handshake key is used exactly once: handshake.go singleUseCHP).</summary>
    public static void SealOnce(ReadOnlySpan<byte> key, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        Span<byte> nonce = stackalloc byte[NonceSize];
        nonce.Clear();
        if (Bcl.ChaCha20Poly1305.IsSupported)
        {
            using var aead = new Bcl.ChaCha20Poly1305(key);
            aead.Encrypt(nonce, plaintext, ciphertext[..plaintext.Length], ciphertext.Slice(plaintext.Length, TagSize), associatedData);
            return;
        }

        using var k = ImportKey(key);
        AeadAlgorithm.ChaCha20Poly1305.Encrypt(k, nonce, associatedData, plaintext, ciphertext[..(plaintext.Length + TagSize)]);
    }

    public static bool OpenOnce(ReadOnlySpan<byte> key, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        if (ciphertext.Length < TagSize)
        {
            return false;
        }

        Span<byte> nonce = stackalloc byte[NonceSize];
        nonce.Clear();
        var length = ciphertext.Length - TagSize;
        if (Bcl.ChaCha20Poly1305.IsSupported)
        {
            using var aead = new Bcl.ChaCha20Poly1305(key);
            try
            {
                aead.Decrypt(nonce, ciphertext[..length], ciphertext[length..], plaintext[..length], associatedData);
                return true;
            }
            catch (Bcl.AuthenticationTagMismatchException)
            {
                plaintext[..length].Clear();
                return false;
            }
        }

        using var k = ImportKey(key);
        return AeadAlgorithm.ChaCha20Poly1305.Decrypt(k, nonce, associatedData, ciphertext, plaintext[..length]);
    }
}
