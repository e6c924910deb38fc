using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace Appliance.Protocol.Keys;

/// <summary>A node's disco key for NAT traversal; regenerated every time tailscaled starts. Text form `discokey:&lt;64 hex&gt;` (tailscale types/key/disco.go).</summary>
[JsonConverter(typeof(PublicKeyJsonConverter<DiscoPublic>))]
[StructLayout(LayoutKind.Sequential)]
public readonly struct DiscoPublic : IPublicKey<DiscoPublic>
{
    public const string Prefix = "discokey:";
    private readonly Key32 _key;

    private DiscoPublic(Key32 key) => _key = key;

    public static DiscoPublic Zero => default;

    static string IPublicKey<DiscoPublic>.TextPrefix => Prefix;

    public bool IsZero => _key.IsZero;

    public ReadOnlySpan<byte> Raw => _key.AsSpan();

    public static DiscoPublic FromRaw(ReadOnlySpan<byte> raw) => new(Key32.FromSpan(raw));

    public static DiscoPublic Parse(ReadOnlySpan<char> text) => KeyText.Parse<DiscoPublic>(text);

    public static bool TryParse(ReadOnlySpan<char> text, out DiscoPublic key) => KeyText.TryParse(text, out key);

    public override string ToString() => KeyText.Format(Prefix, Raw);

    public bool Equals(DiscoPublic other) => _key.Equals(other._key);

    public override bool Equals(object? obj) => obj is DiscoPublic other && Equals(other);

    public override int GetHashCode() => _key.GetHashCode();

    public static bool operator ==(DiscoPublic left, DiscoPublic right) => left.Equals(right);

    public static bool operator !=(DiscoPublic left, DiscoPublic right) => !left.Equals(right);
}
