namespace Appliance.Protocol.Keys;

/// <summary>A node's private X25519 key (the DERP server key, or a test client's WireGuard key). Text form `privkey:&lt;64 hex&gt;`, on disk only. Constant-time equality; ToString never shows the key.</summary>
public sealed class NodePrivate : IEquatable<NodePrivate>
{
    private readonly byte[] _raw;

    private NodePrivate(byte[] raw) => _raw = raw;

    public static NodePrivate Generate() => new(X25519PrivateKey.Generate());

    public static NodePrivate FromRaw(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != KeyText.KeySize)
        {
            throw new ArgumentException($"a private key is {KeyText.KeySize} bytes", nameof(raw));
        }

        return new NodePrivate(raw.ToArray());
    }

    public static bool TryParse(ReadOnlySpan<char> text, out NodePrivate? key)
    {
        Span<byte> raw = stackalloc byte[KeyText.KeySize];
        if (KeyText.TryParse(X25519PrivateKey.Prefix, text.Trim(), raw))
        {
            key = FromRaw(raw);
            return true;
        }

        key = null;
        return false;
    }

    /// <summary>The raw 32 bytes, for the crypto library. Do not log.</summary>
    public ReadOnlySpan<byte> Raw => _raw;

    public NodePublic Public => NodePublic.FromRaw(X25519PrivateKey.PublicFrom(_raw));

    /// <summary>The on-disk text form. Named so that it is never called by accident where ToString would be.</summary>
    public string ToSecretText() => KeyText.Format(X25519PrivateKey.Prefix, _raw);

    public override string ToString() => "NodePrivate(redacted)";

    public bool Equals(NodePrivate? other) => other is not null && X25519PrivateKey.FixedTimeEquals(_raw, other._raw);

    public override bool Equals(object? obj) => Equals(obj as NodePrivate);

    public override int GetHashCode() => 0;
}
