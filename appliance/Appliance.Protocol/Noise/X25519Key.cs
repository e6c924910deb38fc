using NSec.Cryptography;

namespace Appliance.Protocol.Noise;

/// <summary>
/// An X25519 private key already imported into libsodium, with its public half. Importing is the expensive part of
/// a DH through NSec (guarded memory: mmap + mprotect per key object), so a handshake imports each private key once
/// and the server imports its static key once per process (<see cref="NoiseStaticKey"/>), not once per DH.
/// </summary>
internal sealed class X25519Key : IDisposable
{
    private readonly Key _key;
    private readonly byte[] _public;

    private X25519Key(Key key)
    {
        _key = key;
        _public = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    public ReadOnlySpan<byte> Public => _public;

    /// <summary>A fresh random key that never leaves libsodium (the ephemeral of one handshake).</summary>
    public static X25519Key Generate() => new(Key.Create(KeyAgreementAlgorithm.X25519));

    public static X25519Key Import(ReadOnlySpan<byte> privateKey) =>
        new(Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey));

    /// <summary>A given key, or a fresh one when <paramref name="privateKey"/> is empty (test vectors pass one).</summary>
    public static X25519Key ImportOrGenerate(ReadOnlySpan<byte> privateKey) => privateKey.IsEmpty ? Generate() : Import(privateKey);

    /// <summary>
    /// DH(this, pub). False when the peer's public key is malformed or of low order (all-zero output), which Go's
    /// curve25519.X25519 also rejects (handshake.go MixDH returns an error there).
    /// </summary>
    public bool TryAgree(ReadOnlySpan<byte> publicKey, Span<byte> sharedSecret)
    {
        if (!PublicKey.TryImport(KeyAgreementAlgorithm.X25519, publicKey, KeyBlobFormat.RawPublicKey, out var peer) || peer is null)
        {
            return false;
        }

        var exportable = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using var secret = KeyAgreementAlgorithm.X25519.Agree(_key, peer, in exportable);
        if (secret is null)
        {
            return false;
        }

        secret.Export(SharedSecretBlobFormat.RawSharedSecret).CopyTo(sharedSecret);
        return true;
    }

    public void Dispose() => _key.Dispose();
}
