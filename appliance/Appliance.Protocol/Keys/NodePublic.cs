using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace Appliance.Protocol.Keys;

/// <summary>A node's WireGuard X25519 public key, also its address on DERP. Text form `nodekey:&lt;64 hex&gt;` (tailscale types/key/node.go).</summary>
[JsonConverter(typeof(PublicKeyJsonConverter<NodePublic>))]
[StructLayout(LayoutKind.Sequential)]
public readonly struct NodePublic : IPublicKey<NodePublic>
{
    public const string Prefix = "nodekey:";
    private readonly Key32 _key;

    private NodePublic(Key32 key) => _key = key;

    public static NodePublic Zero => default;

    static string IPublicKey<NodePublic>.TextPrefix => Prefix;

    public bool IsZero => _key.IsZero;

    public ReadOnlySpan<byte> Raw => _key.AsSpan();

    public static NodePublic FromRaw(ReadOnlySpan<byte> raw) => new(Key32.FromSpan(raw));

    public static NodePublic Parse(ReadOnlySpan<char> text) => KeyText.Parse<NodePublic>(text);

    public static bool TryParse(ReadOnlySpan<char> text, out NodePublic key) => KeyText.TryParse(text, out key);

    public override string ToString() => KeyText.Format(Prefix, Raw);

    public bool Equals(NodePublic other) => _key.Equals(other._key);

    public override bool Equals(object? obj) => obj is NodePublic other && Equals(other);

    public override int GetHashCode() => _key.GetHashCode();

    public static bool operator ==(NodePublic left, NodePublic right) => left.Equals(right);

    public static bool operator !=(NodePublic left, NodePublic right) => !left.Equals(right);
}
