using System.Diagnostics.CodeAnalysis;

namespace Appliance.Protocol.Keys;

/// <summary>What a private key kind must provide so that <see cref="PrivateKey{TSelf, TPublic}"/> can make one.</summary>
public interface IPrivateKey<TSelf>
    where TSelf : class, IPrivateKey<TSelf>
{
    static abstract TSelf FromRaw(ReadOnlySpan<byte> raw);

    /// <summary>The on-disk text form <c>privkey:&lt;64 hex&gt;</c>.</summary>
    string ToSecretText();
}

/// <summary>
/// The one template for the X25519 private key kinds (tailscale types/key/machine.go MachinePrivate, node.go
/// NodePrivate): 32 raw bytes, text form <c>privkey:&lt;64 hex&gt;</c> used only in files on disk, constant-time
/// equality, and a <see cref="ToString"/> that never shows the key. The kinds stay distinct sealed types (as the public
/// kinds do through <see cref="IPublicKey{TSelf}"/>), so a node key can never be passed where a machine key is expected.
/// </summary>
[SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "Reached through the sealed kinds: MachinePrivate.Generate(), NodePrivate.TryParse(...).")]
public abstract class PrivateKey<TSelf, TPublic> : IEquatable<TSelf>
    where TSelf : PrivateKey<TSelf, TPublic>, IPrivateKey<TSelf>
    where TPublic : struct, IPublicKey<TPublic>
{
    private readonly byte[] _raw;

    private protected PrivateKey(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != KeyText.KeySize)
        {
            throw new ArgumentException($"a private key is {KeyText.KeySize} bytes", nameof(raw));
        }

        _raw = raw.ToArray();
    }

    /// <summary>The raw 32 bytes, for the crypto library. Do not log.</summary>
    public ReadOnlySpan<byte> Raw => _raw;

    public TPublic Public => TPublic.FromRaw(X25519PrivateKey.PublicFrom(_raw));

    /// <summary>A fresh random key.</summary>
    public static TSelf Generate() => X25519PrivateKey.Generate<TSelf>();

    /// <summary>Parses the text form <c>privkey:&lt;64 hex&gt;</c>; surrounding white space is ignored.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out TSelf? key) => X25519PrivateKey.TryParse(text, out key);

    /// <summary>The on-disk text form. Named so that it is never called by accident where ToString would be.</summary>
    public string ToSecretText() => KeyText.Format(X25519PrivateKey.Prefix, _raw);

    public override string ToString() => typeof(TSelf).Name + "(redacted)";

    public bool Equals(TSelf? other) => other is not null && X25519PrivateKey.FixedTimeEquals(_raw, other._raw);

    public override bool Equals(object? obj) => Equals(obj as TSelf);

    // Equal keys must hash alike, and a hash of the key would leak bits of it: every key hashes to 0.
    public override int GetHashCode() => 0;
}
