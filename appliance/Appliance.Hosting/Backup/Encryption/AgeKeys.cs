using NSec.Cryptography;

namespace Appliance.Hosting.Backup.Encryption;

/// <summary>
/// An age X25519 recipient (`age1…`, the public key backups are encrypted to: `backup.encrypt_to`). Layout from
/// C2SP/C2SP age.md, "The X25519 recipient type": Bech32 with HRP "age" over the 32-byte X25519 public key.
/// </summary>
public sealed class AgeRecipient : IEquatable<AgeRecipient>
{
    public const string Hrp = "age";

    private readonly byte[] _publicKey;

    private AgeRecipient(byte[] publicKey) => _publicKey = publicKey;

    /// <summary>The 32-byte X25519 public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    public static bool TryParse(string? text, out AgeRecipient? recipient)
    {
        recipient = null;
        if (text is null || !text.StartsWith("age1", StringComparison.Ordinal)
            || !Bech32.TryDecode(text, out var hrp, out var data) || hrp != Hrp || data.Length != 32)
        {
            return false;
        }

        recipient = new AgeRecipient(data);
        return true;
    }

    public static AgeRecipient FromPublicKey(ReadOnlySpan<byte> publicKey) =>
        publicKey.Length == 32 ? new AgeRecipient(publicKey.ToArray()) : throw new ArgumentException("an X25519 public key is 32 bytes", nameof(publicKey));

    public override string ToString() => Bech32.Encode(Hrp, _publicKey);

    public bool Equals(AgeRecipient? other) => other is not null && _publicKey.AsSpan().SequenceEqual(other._publicKey);

    public override bool Equals(object? obj) => Equals(obj as AgeRecipient);

    public override int GetHashCode() => BitConverter.ToInt32(_publicKey, 0);
}

/// <summary>
/// An age X25519 identity (the private key, `AGE-SECRET-KEY-1…`), read from a key file as `age-keygen` writes it:
/// comment lines starting with '#', blank lines, and one key line. Held in libsodium memory (NSec), never on the
/// appliance: the operator brings it to restore (`--identity FILE`).
/// </summary>
public sealed class AgeIdentity : IDisposable
{
    public const string Hrp = "age-secret-key-";

    private readonly Key _key;

    private AgeIdentity(Key key)
    {
        _key = key;
        Recipient = AgeRecipient.FromPublicKey(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    public AgeRecipient Recipient { get; }

    internal Key Key => _key;

    /// <summary>A new identity (for `backup keygen` and tests); its text form is <see cref="Export"/>.</summary>
    public static AgeIdentity Generate() =>
        new(Key.Create(KeyAgreementAlgorithm.X25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    /// <exception cref="FormatException">The text holds no valid AGE-SECRET-KEY line (the message says what was found).</exception>
    public static AgeIdentity Parse(string fileText)
    {
        ArgumentNullException.ThrowIfNull(fileText);
        var lines = fileText.Split('\n').Select(l => l.TrimEnd('\r').Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        if (lines.Count != 1 || !lines[0].StartsWith("AGE-SECRET-KEY-1", StringComparison.Ordinal))
        {
            throw new FormatException("an identity file holds exactly one AGE-SECRET-KEY-1… line (plus # comments), as age-keygen writes it");
        }

        if (!Bech32.TryDecode(lines[0], out var hrp, out var data) || hrp != Hrp || data.Length != 32)
        {
            throw new FormatException("the AGE-SECRET-KEY line is not a valid key (checksum or length)");
        }

        try
        {
            return new AgeIdentity(Key.Import(KeyAgreementAlgorithm.X25519, data, KeyBlobFormat.RawPrivateKey,
                new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
        }
        finally
        {
            Array.Clear(data);
        }
    }

    /// <summary>The key file text as age-keygen writes it (comment with the recipient, then the key).</summary>
    public string Export()
    {
        var raw = _key.Export(KeyBlobFormat.RawPrivateKey);
        try
        {
            return $"# public key: {Recipient}\n{Bech32.Encode(Hrp, raw).ToUpperInvariant()}\n";
        }
        finally
        {
            Array.Clear(raw);
        }
    }

    public void Dispose() => _key.Dispose();
}
