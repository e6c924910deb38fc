using NSec.Cryptography;

namespace Appliance.Updates.Signing;

/// <summary>
/// An Ed25519 private key held by a signer on the offline signing station. It never ships in the appliance and
/// is stored only inside an <see cref="EncryptedKeyFile"/>.
/// </summary>
public sealed class SigningKey : IDisposable
{
    private readonly Key _key;

    private SigningKey(Key key)
    {
        _key = key;
        var raw = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        PublicSigningKey.TryImport(raw, out var pub);
        Public = pub!;
    }

    public PublicSigningKey Public { get; }

    public static SigningKey Generate() =>
        new(Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    public static SigningKey ImportRaw(ReadOnlySpan<byte> rawPrivateKey) =>
        new(Key.Import(SignatureAlgorithm.Ed25519, rawPrivateKey, KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    /// <summary>The 32-byte seed; only <see cref="EncryptedKeyFile"/> calls this, to encrypt it.</summary>
    internal byte[] ExportRaw() => _key.Export(KeyBlobFormat.RawPrivateKey);

    public byte[] Sign(ReadOnlySpan<byte> message) => SignatureAlgorithm.Ed25519.Sign(_key, message);

    public void Dispose() => _key.Dispose();

    public override string ToString() => $"SigningKey({Public.Id.Abbreviated})";
}
