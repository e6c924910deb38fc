using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Protocol.Keys;

/// <summary>A per-connection challenge key sent in the Noise early payload. Text form `chalpub:&lt;64 hex&gt;` (tailscale types/key/chal.go).</summary>
[JsonConverter(typeof(ChallengePublicJsonConverter))]
[StructLayout(LayoutKind.Sequential)]
public readonly struct ChallengePublic : IEquatable<ChallengePublic>
{
    public const string Prefix = "chalpub:";
    private readonly Key32 _key;

    private ChallengePublic(Key32 key) => _key = key;

    public static ChallengePublic Zero => default;

    public bool IsZero => _key.IsZero;

    public static ChallengePublic FromRaw(ReadOnlySpan<byte> raw) => new(Key32.FromSpan(raw));

    public static ChallengePublic Parse(ReadOnlySpan<char> text)
    {
        if (!TryParse(text, out var key))
        {
            KeyText.ThrowFormat(Prefix);
        }

        return key;
    }

    public static bool TryParse(ReadOnlySpan<char> text, out ChallengePublic key)
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

    public bool Equals(ChallengePublic other) => _key.Equals(other._key);

    public override bool Equals(object? obj) => obj is ChallengePublic other && Equals(other);

    public override int GetHashCode() => _key.GetHashCode();

    public static bool operator ==(ChallengePublic left, ChallengePublic right) => left.Equals(right);

    public static bool operator !=(ChallengePublic left, ChallengePublic right) => !left.Equals(right);
}

/// <summary>JSON as the Go encoder writes it: the prefixed text form, prefix required.</summary>
public sealed class ChallengePublicJsonConverter : JsonConverter<ChallengePublic>
{
    public override ChallengePublic Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (text is null || !ChallengePublic.TryParse(text, out var key))
        {
            throw new JsonException("invalid ChallengePublic: expected 'chalpub:' followed by 64 hex digits");
        }

        return key;
    }

    public override void Write(Utf8JsonWriter writer, ChallengePublic value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
