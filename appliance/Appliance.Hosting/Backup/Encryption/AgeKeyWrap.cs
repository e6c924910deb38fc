using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Appliance.Hosting.Backup.Encryption;

/// <summary>
/// The age v1 key schedule (C2SP/C2SP age.md): the X25519 stanza that wraps the 16-byte file key for a recipient
/// ("X25519 recipient stanza"), the header MAC key and the payload key. X25519 and ChaCha20-Poly1305 from libsodium
/// through NSec; HKDF-SHA-256 and HMAC-SHA-256 from the BCL. No primitive is written here, only their composition.
/// </summary>
internal static class AgeKeyWrap
{
    public const int FileKeySize = 16;
    public const string X25519Type = "X25519";
    private static readonly byte[] X25519Info = Encoding.ASCII.GetBytes("age-encryption.org/v1/X25519");
    private static readonly byte[] HeaderInfo = Encoding.ASCII.GetBytes("header");
    private static readonly byte[] PayloadInfo = Encoding.ASCII.GetBytes("payload");

    public static AgeStanza Wrap(AgeRecipient recipient, ReadOnlySpan<byte> fileKey)
    {
        using var ephemeral = Key.Create(KeyAgreementAlgorithm.X25519);
        var share = ephemeral.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        var shared = Agree(ephemeral, recipient.PublicKey) ?? throw new CryptographicException("the recipient is not a usable X25519 public key");
        var wrapKey = Hkdf(shared, [.. share, .. recipient.PublicKey], X25519Info);
        return new AgeStanza([X25519Type, AgeHeader.Base64(share)], Seal(wrapKey, fileKey));
    }

    /// <summary>The file key from the first X25519 stanza this identity opens; null when none is addressed to it.</summary>
    /// <exception cref="FormatException">An X25519 stanza off the spec (argument count, share or body size).</exception>
    public static byte[]? Unwrap(AgeIdentity identity, IReadOnlyList<AgeStanza> stanzas)
    {
        foreach (var stanza in stanzas.Where(s => s.Arguments[0] == X25519Type))
        {
            if (stanza.Arguments.Count != 2)
            {
                throw new FormatException("an X25519 stanza must have exactly two arguments");
            }

            var share = AgeHeader.DecodeBase64(stanza.Arguments[1], 0);
            if (share.Length != 32 || stanza.Body.Length != FileKeySize + 16)
            {
                throw new FormatException("an X25519 stanza's share must be 32 bytes and its body 32 bytes");
            }

            // age.md: "If the shared secret is all 0x00 bytes, the identity implementation MUST abort" (NSec returns null).
            var shared = Agree(identity.Key, share) ?? throw new FormatException("an X25519 stanza with a low-order share");
            var wrapKey = Hkdf(shared, [.. share, .. identity.Recipient.PublicKey], X25519Info);
            var fileKey = new byte[FileKeySize];
            if (Open(wrapKey, stanza.Body, fileKey))
            {
                return fileKey;
            }
        }

        return null;
    }

    public static byte[] HeaderMac(ReadOnlySpan<byte> fileKey, ReadOnlySpan<byte> macInput)
    {
        var key = Hkdf(fileKey, [], HeaderInfo);
        return HMACSHA256.HashData(key, macInput);
    }

    public static Key PayloadKey(ReadOnlySpan<byte> fileKey, ReadOnlySpan<byte> nonce)
    {
        var raw = Hkdf(fileKey, nonce, PayloadInfo);
        try
        {
            return Key.Import(AeadAlgorithm.ChaCha20Poly1305, raw, KeyBlobFormat.RawSymmetricKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    /// <summary>HKDF-SHA-256 (RFC 5869) to 32 bytes, as every age key derivation is.</summary>
    private static byte[] Hkdf(ReadOnlySpan<byte> ikm, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info)
    {
        var output = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, output, salt, info);
        return output;
    }

    private static byte[] Seal(byte[] wrapKey, ReadOnlySpan<byte> fileKey)
    {
        using var key = Key.Import(AeadAlgorithm.ChaCha20Poly1305, wrapKey, KeyBlobFormat.RawSymmetricKey);
        return AeadAlgorithm.ChaCha20Poly1305.Encrypt(key, new byte[12], [], fileKey);
    }

    private static bool Open(byte[] wrapKey, ReadOnlySpan<byte> body, Span<byte> fileKey)
    {
        using var key = Key.Import(AeadAlgorithm.ChaCha20Poly1305, wrapKey, KeyBlobFormat.RawSymmetricKey);
        return AeadAlgorithm.ChaCha20Poly1305.Decrypt(key, new byte[12], [], body, fileKey);
    }

    private static byte[]? Agree(Key key, ReadOnlySpan<byte> publicKey)
    {
        if (!PublicKey.TryImport(KeyAgreementAlgorithm.X25519, publicKey, KeyBlobFormat.RawPublicKey, out var peer) || peer is null)
        {
            return null;
        }

        var exportable = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using var secret = KeyAgreementAlgorithm.X25519.Agree(key, peer, in exportable);
        return secret?.Export(SharedSecretBlobFormat.RawSharedSecret);
    }
}
