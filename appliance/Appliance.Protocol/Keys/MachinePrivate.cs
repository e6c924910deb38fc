namespace Appliance.Protocol.Keys;

/// <summary>A machine's private X25519 key (the server's Noise static key, or a test client's). Text form `privkey:&lt;64 hex&gt;`, on disk only. Constant-time equality; ToString never shows the key.</summary>
public sealed class MachinePrivate : IEquatable<MachinePrivate>
{
    private readonly byte[] _raw;

    private MachinePrivate(byte[] raw) => _raw = raw;

    public static MachinePrivate Generate() => new(X25519PrivateKey.Generate());

    public static MachinePrivate FromRaw(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != KeyText.KeySize)
        {
            throw new ArgumentException($"a private key is {KeyText.KeySize} bytes", nameof(raw));
        }

        return new MachinePrivate(raw.ToArray());
    }

    public static bool TryParse(ReadOnlySpan<char> text, out MachinePrivate? key)
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

    public MachinePublic Public => MachinePublic.FromRaw(X25519PrivateKey.PublicFrom(_raw));

    /// <summary>The on-disk text form. Named so that it is never called by accident where ToString would be.</summary>
    public string ToSecretText() => KeyText.Format(X25519PrivateKey.Prefix, _raw);

    public override string ToString() => "MachinePrivate(redacted)";

    public bool Equals(MachinePrivate? other) => other is not null && X25519PrivateKey.FixedTimeEquals(_raw, other._raw);

    public override bool Equals(object? obj) => Equals(obj as MachinePrivate);

    public override int GetHashCode() => 0;
}
