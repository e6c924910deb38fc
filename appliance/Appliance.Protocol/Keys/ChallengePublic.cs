using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace Appliance.Protocol.Keys;

/// <summary>A per-connection challenge key sent in the Noise early payload. Text form `chalpub:&lt;64 hex&gt;` (tailscale types/key/chal.go).</summary>
[JsonConverter(typeof(PublicKeyJsonConverter<ChallengePublic>))]
[StructLayout(LayoutKind.Sequential)]
public readonly struct ChallengePublic : IPublicKey<ChallengePublic>
{
    public const string Prefix = "chalpub:";
    private readonly Key32 _key;

    private ChallengePublic(Key32 key) => _key = key;

    public static ChallengePublic Zero => default;

    static string IPublicKey<ChallengePublic>.TextPrefix => Prefix;

    public bool IsZero => _key.IsZero;

    public ReadOnlySpan<byte> Raw => _key.AsSpan();

    public static ChallengePublic FromRaw(ReadOnlySpan<byte> raw) => new(Key32.FromSpan(raw));

    public static ChallengePublic Parse(ReadOnlySpan<char> text) => KeyText.Parse<ChallengePublic>(text);

    public static bool TryParse(ReadOnlySpan<char> text, out ChallengePublic key) => KeyText.TryParse(text, out key);

    public override string ToString() => KeyText.Format(Prefix, Raw);

    public bool Equals(ChallengePublic other) => _key.Equals(other._key);

    public override bool Equals(object? obj) => obj is ChallengePublic other && Equals(other);

    public override int GetHashCode() => _key.GetHashCode();

    public static bool operator ==(ChallengePublic left, ChallengePublic right) => left.Equals(right);

    public static bool operator !=(ChallengePublic left, ChallengePublic right) => !left.Equals(right);
}
