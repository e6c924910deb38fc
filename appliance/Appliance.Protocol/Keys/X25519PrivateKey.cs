using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace Appliance.Protocol.Keys;

/// <summary>
/// Raw X25519 private key material behind <see cref="PrivateKey{TSelf, TPublic}"/> (MachinePrivate, NodePrivate).
/// Text form `privkey:&lt;64 hex&gt;` (tailscale types/key/machine.go, node.go), used only in files on disk.
/// Compares in constant time; never prints through ToString.
/// </summary>
internal static class X25519PrivateKey
{
    public const string Prefix = "privkey:";

    public static byte[] Generate()
    {
        var exportable = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using var key = Key.Create(KeyAgreementAlgorithm.X25519, in exportable);
        return key.Export(KeyBlobFormat.RawPrivateKey);
    }

    public static TKey Generate<TKey>()
        where TKey : class, IPrivateKey<TKey> => TKey.FromRaw(Generate());

    public static bool TryParse<TKey>(ReadOnlySpan<char> text, [NotNullWhen(true)] out TKey? key)
        where TKey : class, IPrivateKey<TKey>
    {
        Span<byte> raw = stackalloc byte[KeyText.KeySize];
        if (KeyText.TryParse(Prefix, text.Trim(), raw))
        {
            key = TKey.FromRaw(raw);
            return true;
        }

        key = null;
        return false;
    }

    public static byte[] PublicFrom(ReadOnlySpan<byte> privateKey)
    {
        var exportable = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using var key = Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey, in exportable);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    public static bool FixedTimeEquals(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) =>
        CryptographicOperations.FixedTimeEquals(a, b);
}
