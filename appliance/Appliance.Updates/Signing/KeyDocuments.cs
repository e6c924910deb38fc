namespace Appliance.Updates.Signing;

/// <summary>
/// The private key file (`NAME.key`), JSON:
/// the 32-byte Ed25519 seed encrypted with XChaCha20-Poly1305 under a key derived from the passphrase with
/// Argon2id (both from libsodium through NSec). The associated data binds the ciphertext to the public key and
/// the KDF parameters, so neither can be swapped without the decryption failing.
/// </summary>
public sealed record EncryptedKeyDocument(
    string Type,
    int Version,
    string KeyId,
    string PublicKey,
    KdfDocument Kdf,
    string Aead,
    string Nonce,
    string Ciphertext);

/// <summary>Argon2id parameters; memory in KiB as libsodium's crypto_pwhash takes it (NSec Argon2Parameters).</summary>
public sealed record KdfDocument(string Algorithm, string Salt, long MemoryKib, long Passes);

/// <summary>The public key file (`NAME.pub`), given to whoever writes root metadata.</summary>
public sealed record PublicKeyDocument(string Type, string KeyId, string PublicKey);
