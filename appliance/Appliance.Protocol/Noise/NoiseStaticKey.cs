using Appliance.Protocol.Keys;

namespace Appliance.Protocol.Noise;

/// <summary>
/// The server's static Noise key, imported into the crypto library once and shared by every handshake
/// (<see cref="NoiseResponder.TryRespond(NoiseStaticKey, ReadOnlySpan{byte}, out NoiseAcceptedHandshake?, out NoiseHandshakeRefusal, ReadOnlySpan{byte})"/>).
/// Re-importing it for each DH was most of a handshake's cost (docs/benchmarks.md "Noise transport").
/// Thread-safe: libsodium's scalar multiplication only reads the key.
/// </summary>
public sealed class NoiseStaticKey : IDisposable
{
    private readonly X25519Key _key;

    public NoiseStaticKey(MachinePrivate privateKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        _key = X25519Key.Import(privateKey.Raw);
        Public = MachinePublic.FromRaw(_key.Public);
    }

    public MachinePublic Public { get; }

    internal X25519Key Key => _key;

    public void Dispose() => _key.Dispose();
}
