using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Protocol.Keys;

/// <summary>A machine's long-lived X25519 identity: the client's Noise static key, and the server's Noise key. Text form `mkey:&lt;64 hex&gt;` (tailscale types/key/machine.go).</summary>
[JsonConverter(typeof(MachinePublicJsonConverter))]
[StructLayout(LayoutKind.Sequential)]
public readonly struct MachinePublic : IEquatable<MachinePublic>
{
    public const string Prefix = "mkey:";
    private readonly Key32 _key;

    private MachinePublic(Key32 key) => _key = key;

    public static MachinePublic Zero => default;

    public bool IsZero => _key.IsZero;

    public static MachinePublic FromRaw(ReadOnlySpan<byte> raw) => new(Key32.FromSpan(raw));

    public static MachinePublic Parse(ReadOnlySpan<char> text)
    {
        if (!TryParse(text, out var key))
        {
            KeyText.ThrowFormat(Prefix);
        }

        return key;
    }

    public static bool TryParse(ReadOnlySpan<char> text, out MachinePublic key)
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

    public bool Equals(MachinePublic other) => _key.Equals(other._key);

    public override bool Equals(object? obj) => obj is MachinePublic other && Equals(other);

    public override int GetHashCode() => _key.GetHashCode();

    public static bool operator ==(MachinePublic left, MachinePublic right) => left.Equals(right);

    public static bool operator !=(MachinePublic left, MachinePublic right) => !left.Equals(right);
}

/// <summary>JSON as the Go encoder writes it: the prefixed text form, prefix required.</summary>
public sealed class MachinePublicJsonConverter : JsonConverter<MachinePublic>
{
    public override MachinePublic Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (text is null || !MachinePublic.TryParse(text, out var key))
        {
            throw new JsonException("invalid MachinePublic: expected 'mkey:' followed by 64 hex digits");
        }

        return key;
    }

    public override void Write(Utf8JsonWriter writer, MachinePublic value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
