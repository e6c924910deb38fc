namespace Appliance.Protocol.Keys;

/// <summary>A machine's private X25519 key (the server's Noise static key, or a test client's). See <see cref="PrivateKey{TSelf, TPublic}"/>.</summary>
public sealed class MachinePrivate : PrivateKey<MachinePrivate, MachinePublic>, IPrivateKey<MachinePrivate>
{
    private MachinePrivate(ReadOnlySpan<byte> raw)
        : base(raw)
    {
    }

    public static MachinePrivate FromRaw(ReadOnlySpan<byte> raw) => new(raw);
}
