using NSec.Cryptography;

namespace Appliance.Protocol.Noise;

/// <summary>X25519 through NSec (libsodium). The handshake's DH(priv, pub) and key generation.</summary>
internal static class X25519
{
    /// <summary>A fresh random private key (raw 32 bytes).</summary>
    public static byte[] GeneratePrivate()
    {
        var exportable = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using var key = Key.Create(KeyAgreementAlgorithm.X25519, in exportable);
        return key.Export(KeyBlobFormat.RawPrivateKey);
    }

    public static void PublicFrom(ReadOnlySpan<byte> privateKey, Span<byte> publicKey)
    {
        using var key = Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey);
        key.PublicKey.Export(KeyBlobFormat.RawPublicKey).CopyTo(publicKey);
    }

    /// <summary>
    /// DH(priv, pub). False when the peer's public key is malformed or of low order (all-zero output), which Go's
    /// curve25519.X25519 also rejects (handshake.go MixDH returns an error there).
    /// </summary>
    public static bool TryAgree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey, Span<byte> sharedSecret)
    {
        if (!PublicKey.TryImport(KeyAgreementAlgorithm.X25519, publicKey, KeyBlobFormat.RawPublicKey, out var peer) || peer is null)
        {
            return false;
        }

        using var key = Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey);
        var exportable = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using var secret = KeyAgreementAlgorithm.X25519.Agree(key, peer, in exportable);
        if (secret is null)
        {
            return false;
        }

        secret.Export(SharedSecretBlobFormat.RawSharedSecret).CopyTo(sharedSecret);
        return true;
    }
}
