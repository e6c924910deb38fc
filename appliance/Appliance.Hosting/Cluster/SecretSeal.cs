using System.Security.Cryptography;
using System.Text;

namespace Appliance.Hosting.Cluster;

/// <summary>
/// Seals a shared secret for the database under the cluster key (docs/decisions/0098-cluster-noise-key.md), with
/// the BCL only: a fresh 16-byte salt per seal, HKDF-SHA256 (salt, info naming the secret) to a 256-bit key, and
/// ChaCha20-Poly1305 with a random nonce and the secret's name and public half as associated data, so a sealed text
/// moved to another name or paired with another public key does not open. Text form:
/// <c>v1.</c> + base64(salt ‖ nonce ‖ ciphertext ‖ tag).
/// </summary>
public static class SecretSeal
{
    private const string Version = "v1.";
    private const int SaltLength = 16;
    private const int NonceLength = 12;
    private const int TagLength = 16;

    public static string Seal(ClusterKey key, string name, string publicKey, string secret)
    {
        ArgumentNullException.ThrowIfNull(key);
        var plaintext = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[SaltLength + NonceLength + plaintext.Length + TagLength];
        var salt = sealedBytes.AsSpan(0, SaltLength);
        var nonce = sealedBytes.AsSpan(SaltLength, NonceLength);
        RandomNumberGenerator.Fill(salt);
        RandomNumberGenerator.Fill(nonce);
        using var aead = new ChaCha20Poly1305(Derive(key, salt, name));
        aead.Encrypt(nonce, plaintext, sealedBytes.AsSpan(SaltLength + NonceLength, plaintext.Length),
            sealedBytes.AsSpan(SaltLength + NonceLength + plaintext.Length), Associated(name, publicKey));
        CryptographicOperations.ZeroMemory(plaintext);
        return Version + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>Opens a sealed text; false when it is malformed, was sealed under another key, or belongs to another name or public half.</summary>
    public static bool TryOpen(ClusterKey key, string name, string publicKey, string sealedText, out string secret)
    {
        ArgumentNullException.ThrowIfNull(key);
        secret = "";
        if (sealedText is null || !sealedText.StartsWith(Version, StringComparison.Ordinal))
        {
            return false;
        }

        var bytes = new byte[(sealedText.Length - Version.Length) * 3 / 4 + 3];
        if (!Convert.TryFromBase64String(sealedText[Version.Length..], bytes, out var length) || length < SaltLength + NonceLength + TagLength)
        {
            return false;
        }

        var body = bytes.AsSpan(0, length);
        var cipherLength = length - SaltLength - NonceLength - TagLength;
        var plaintext = new byte[cipherLength];
        try
        {
            using var aead = new ChaCha20Poly1305(Derive(key, body[..SaltLength], name));
            aead.Decrypt(body.Slice(SaltLength, NonceLength), body.Slice(SaltLength + NonceLength, cipherLength),
                body[(length - TagLength)..], plaintext, Associated(name, publicKey));
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        secret = Encoding.UTF8.GetString(plaintext);
        CryptographicOperations.ZeroMemory(plaintext);
        return true;
    }

    private static byte[] Derive(ClusterKey key, ReadOnlySpan<byte> salt, string name)
    {
        var derived = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key.Raw, derived, salt, Encoding.UTF8.GetBytes("appliance ha_secrets " + name));
        return derived;
    }

    private static byte[] Associated(string name, string publicKey) => Encoding.UTF8.GetBytes("appliance ha_secrets\n" + name + "\n" + publicKey);
}
