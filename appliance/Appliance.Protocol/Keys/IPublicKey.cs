namespace Appliance.Protocol.Keys;

/// <summary>
/// What every 32-byte public key kind shares (tailscale types/key: node.go, machine.go, disco.go, chal.go): raw bytes
/// and a text form with a kind prefix. The kinds stay distinct types so a node key can never be passed where a machine
/// key is expected; parsing, JSON and the short debug form are written once against this interface.
/// </summary>
public interface IPublicKey<TSelf> : IEquatable<TSelf>
    where TSelf : struct, IPublicKey<TSelf>
{
    /// <summary>The text prefix, such as <c>nodekey:</c>.</summary>
    static abstract string TextPrefix { get; }

    static abstract TSelf FromRaw(ReadOnlySpan<byte> raw);

    ReadOnlySpan<byte> Raw { get; }
}

/// <summary>Operations every public key kind offers, written once.</summary>
public static class PublicKeyExtensions
{
    public static byte[] ToArray<TKey>(this TKey key)
        where TKey : struct, IPublicKey<TKey> => key.Raw.ToArray();

    public static void CopyTo<TKey>(this TKey key, Span<byte> destination)
        where TKey : struct, IPublicKey<TKey> => key.Raw.CopyTo(destination);

    /// <summary>Debug short form `[xxxxx]`: the first five base64 characters (types/key/node.go ShortString). Logs only.</summary>
    public static string ShortString<TKey>(this TKey key)
        where TKey : struct, IPublicKey<TKey> => "[" + Convert.ToBase64String(key.Raw)[..5] + "]";
}
