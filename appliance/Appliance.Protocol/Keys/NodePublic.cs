using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Protocol.Keys;

/// <summary>A node's WireGuard X25519 public key, also its address on DERP. Text form `nodekey:&lt;64 hex&gt;` (tailscale types/key/node.go).</summary>
[JsonConverter(typeof(NodePublicJsonConverter))]
[StructLayout(LayoutKind.Sequential)]
public readonly struct NodePublic : IEquatable<NodePublic>
{
    public const string Prefix = "nodekey:";
    private readonly Key32 _key;

    private NodePublic(Key32 key) => _key = key;

    public static NodePublic Zero => default;

    public bool IsZero => _key.IsZero;

    public static NodePublic FromRaw(ReadOnlySpan<byte> raw) => new(Key32.FromSpan(raw));

    public static NodePublic Parse(ReadOnlySpan<char> text)
    {
        if (!TryParse(text, out var key))
        {
            KeyText.ThrowFormat(Prefix);
        }

        return key;
    }

    public static bool TryParse(ReadOnlySpan<char> text, out NodePublic key)
    {
        Span<byte> raw = stackalloc byte[KeyText.KeySize];
        if (KeyText.TryParse(Prefix, text, raw))
        {
            key = FromRaw(raw);
            return true;
        }

        key = default;
        return false;
    }

    public ReadOnlySpan<byte> Raw => _key.AsSpan();

    public byte[] ToArray() => _key.AsSpan().ToArray();

    public void CopyTo(Span<byte> destination) => _key.AsSpan().CopyTo(destination);

    /// <summary>Debug short form `[xxxxx]`: the first five base64 characters (types/key/node.go ShortString). Logs only.</summary>
    public string ShortString() => "[" + Convert.ToBase64String(_key.AsSpan())[..5] + "]";

    public override string ToString() => KeyText.Format(Prefix, _key.AsSpan());

    public bool Equals(NodePublic other) => _key.Equals(other._key);

    public override bool Equals(object? obj) => obj is NodePublic other && Equals(other);

    public override int GetHashCode() => _key.GetHashCode();

    public static bool operator ==(NodePublic left, NodePublic right) => left.Equals(right);

    public static bool operator !=(NodePublic left, NodePublic right) => !left.Equals(right);
}

/// <summary>JSON as the Go encoder writes it: the prefixed text form, prefix required.</summary>
public sealed class NodePublicJsonConverter : JsonConverter<NodePublic>
{
    public override NodePublic Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (text is null || !NodePublic.TryParse(text, out var key))
        {
            throw new JsonException("invalid NodePublic: expected 'nodekey:' followed by 64 hex digits");
        }

        return key;
    }

    public override void Write(Utf8JsonWriter writer, NodePublic value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
