using System.Security.Cryptography;
using System.Text;
using Appliance.Updates.Json;
using NSec.Cryptography;

namespace Appliance.Updates.Signing;

/// <summary>
/// Writes and opens passphrase-protected private key files (layout in <see cref="EncryptedKeyDocument"/>).
/// A wrong passphrase and a damaged file are the same outcome to the AEAD: the file is refused and nothing
/// is signed.
/// </summary>
public static class EncryptedKeyFile
{
    public const string PrivateType = "appliance-bundle-signing-key";
    public const string PublicType = "appliance-bundle-public-key";
    private const string KdfName = "argon2id";
    private const string AeadName = "xchacha20-poly1305";

    /// <summary>64 MiB and 3 passes: libsodium's "moderate" pwhash limits, about half a second on a laptop.</summary>
    public static readonly Argon2Parameters DefaultKdf = new() { DegreeOfParallelism = 1, MemorySize = 64 * 1024, NumberOfPasses = 3 };

    /// <summary>Upper bounds on what a key file may ask for, so a hostile file cannot exhaust memory.</summary>
    private const long MaxMemoryKib = 1024 * 1024;
    private const long MaxPasses = 16;

    public static byte[] Encrypt(SigningKey key, string passphrase, Argon2Parameters? kdf = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        var parameters = kdf ?? DefaultKdf;
        var salt = RandomNumberGenerator.GetBytes(16);
        var nonce = RandomNumberGenerator.GetBytes(AeadAlgorithm.XChaCha20Poly1305.NonceSize);
        var kdfDoc = new KdfDocument(KdfName, Convert.ToBase64String(salt), parameters.MemorySize, parameters.NumberOfPasses);
        var pub = key.Public.ToBase64();
        var seed = key.ExportRaw();
        try
        {
            using var wrapping = DeriveKey(passphrase, salt, parameters);
            var ciphertext = AeadAlgorithm.XChaCha20Poly1305.Encrypt(wrapping, nonce, AssociatedData(pub, kdfDoc), seed);
            var doc = new EncryptedKeyDocument(PrivateType, 1, key.Public.Id.ToString(), pub, kdfDoc, AeadName,
                Convert.ToBase64String(nonce), Convert.ToBase64String(ciphertext));
            return CanonicalJson.Serialize(doc, UpdatesJsonContext.Default.EncryptedKeyDocument);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    public static KeyFileOutcome TryOpen(ReadOnlySpan<byte> file, string passphrase, out SigningKey? key)
    {
        key = null;
        var doc = CanonicalJson.TryParseCanonical(file, UpdatesJsonContext.Default.EncryptedKeyDocument, out _);
        if (doc is null || doc.Type != PrivateType || doc.Version != 1 || doc.Aead != AeadName || doc.Kdf.Algorithm != KdfName
            || doc.Kdf.MemoryKib is < 8 or > MaxMemoryKib || doc.Kdf.Passes is < 1 or > MaxPasses)
        {
            return KeyFileOutcome.Malformed;
        }

        byte[] salt, nonce, ciphertext;
        try
        {
            salt = Convert.FromBase64String(doc.Kdf.Salt);
            nonce = Convert.FromBase64String(doc.Nonce);
            ciphertext = Convert.FromBase64String(doc.Ciphertext);
        }
        catch (FormatException)
        {
            return KeyFileOutcome.Malformed;
        }

        if (salt.Length != 16 || nonce.Length != AeadAlgorithm.XChaCha20Poly1305.NonceSize || ciphertext.Length != 32 + 16)
        {
            return KeyFileOutcome.Malformed;
        }

        var parameters = new Argon2Parameters { DegreeOfParallelism = 1, MemorySize = doc.Kdf.MemoryKib, NumberOfPasses = doc.Kdf.Passes };
        var seed = new byte[32];
        try
        {
            using var wrapping = DeriveKey(passphrase, salt, parameters);
            if (!AeadAlgorithm.XChaCha20Poly1305.Decrypt(wrapping, nonce, AssociatedData(doc.PublicKey, doc.Kdf), ciphertext, seed))
            {
                return KeyFileOutcome.WrongPassphrase;
            }

            var opened = SigningKey.ImportRaw(seed);
            if (opened.Public.ToBase64() != doc.PublicKey || opened.Public.Id.ToString() != doc.KeyId)
            {
                opened.Dispose();
                return KeyFileOutcome.Malformed;
            }

            key = opened;
            return KeyFileOutcome.Opened;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    public static byte[] PublicFile(PublicSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return CanonicalJson.Serialize(new PublicKeyDocument(PublicType, key.Id.ToString(), key.ToBase64()),
            UpdatesJsonContext.Default.PublicKeyDocument);
    }

    public static PublicSigningKey? TryReadPublicFile(ReadOnlySpan<byte> file)
    {
        var doc = CanonicalJson.TryParseCanonical(file, UpdatesJsonContext.Default.PublicKeyDocument, out _);
        if (doc is null || doc.Type != PublicType || !PublicSigningKey.TryParseBase64(doc.PublicKey, out var key)
            || key!.Id.ToString() != doc.KeyId)
        {
            return null;
        }

        return key;
    }

    private static Key DeriveKey(string passphrase, ReadOnlySpan<byte> salt, Argon2Parameters parameters) =>
        PasswordBasedKeyDerivationAlgorithm.Argon2id(parameters).DeriveKey(passphrase, salt, AeadAlgorithm.XChaCha20Poly1305);

    private static byte[] AssociatedData(string publicKey, KdfDocument kdf) =>
        Encoding.UTF8.GetBytes($"{PrivateType} v1\n{publicKey}\n{kdf.Algorithm}:{kdf.MemoryKib}:{kdf.Passes}:{kdf.Salt}");
}

public enum KeyFileOutcome
{
    Opened,
    WrongPassphrase,
    Malformed,
}
