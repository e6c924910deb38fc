using System.Diagnostics.CodeAnalysis;

namespace Appliance.Protocol.Keys;

/// <summary>
/// Text form shared by every 32-byte key kind: a type prefix and 64 hex digits
/// (tailscale types/key/util.go, appendHexKey / parseHex). The parser accepts either case of hex
/// but requires the prefix: a bare hex string fails, as it does in the Go client.
/// </summary>
internal static class KeyText
{
    public const int KeySize = 32;

    public static string Format(string prefix, ReadOnlySpan<byte> key) =>
        string.Concat(prefix, Convert.ToHexStringLower(key));

    public static bool TryParse(string prefix, ReadOnlySpan<char> text, Span<byte> key)
    {
        if (!text.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var hex = text[prefix.Length..];
        if (hex.Length != KeySize * 2)
        {
            return false;
        }

        return Convert.FromHexString(hex, key, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == KeySize;
    }

    public static bool TryParse<TKey>(ReadOnlySpan<char> text, out TKey key)
        where TKey : struct, IPublicKey<TKey>
    {
        Span<byte> raw = stackalloc byte[KeySize];
        if (TryParse(TKey.TextPrefix, text, raw))
        {
            key = TKey.FromRaw(raw);
            return true;
        }

        key = default;
        return false;
    }

    public static TKey Parse<TKey>(ReadOnlySpan<char> text)
        where TKey : struct, IPublicKey<TKey>
    {
        if (!TryParse<TKey>(text, out var key))
        {
            ThrowFormat(TKey.TextPrefix);
        }

        return key;
    }

    [DoesNotReturn]
    public static void ThrowFormat(string prefix) =>
        throw new FormatException($"key must be '{prefix}' followed by {KeySize * 2} hex digits");
}
