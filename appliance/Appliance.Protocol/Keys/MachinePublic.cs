using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace Appliance.Protocol.Keys;

/// <summary>A machine's long-lived X25519 identity: the client's Noise static key, and the server's Noise key. Text form `mkey:&lt;64 hex&gt;` (tailscale types/key/machine.go).</summary>
[JsonConverter(typeof(PublicKeyJsonConverter<MachinePublic>))]
[StructLayout(LayoutKind.Sequential)]
public readonly struct MachinePublic : IPublicKey<MachinePublic>
{
    public const string Prefix = "mkey:";
    private readonly Key32 _key;

    private MachinePublic(Key32 key) => _key = key;

    public static MachinePublic Zero => default;

    static string IPublicKey<MachinePublic>.TextPrefix => Prefix;

    public bool IsZero => _key.IsZero;

    public ReadOnlySpan<byte> Raw => _key.AsSpan();

    public static MachinePublic FromRaw(ReadOnlySpan<byte> raw) => new(Key32.FromSpan(raw));

    public static MachinePublic Parse(ReadOnlySpan<char> text) => KeyText.Parse<MachinePublic>(text);

    public static bool TryParse(ReadOnlySpan<char> text, out MachinePublic key) => KeyText.TryParse(text, out key);

    public override string ToString() => KeyText.Format(Prefix, Raw);

    public bool Equals(MachinePublic other) => _key.Equals(other._key);

    public override bool Equals(object? obj) => obj is MachinePublic other && Equals(other);

    public override int GetHashCode() => _key.GetHashCode();

    public static bool operator ==(MachinePublic left, MachinePublic right) => left.Equals(right);

    public static bool operator !=(MachinePublic left, MachinePublic right) => !left.Equals(right);
}
