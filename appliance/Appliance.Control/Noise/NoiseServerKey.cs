using Appliance.Protocol.Keys;
using Appliance.Protocol.Noise;

namespace Appliance.Control.Noise;

/// <summary>
/// The loaded server static key and its public half (what GET /key publishes). The private half is imported into
/// the crypto library once, here, and every handshake reuses it (<see cref="Static"/>); the container disposes it.
/// </summary>
public sealed class NoiseServerKey : IDisposable
{
    public NoiseServerKey(MachinePrivate privateKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        Private = privateKey;
        Static = new NoiseStaticKey(privateKey);
        Public = Static.Public;
    }

    public MachinePrivate Private { get; }

    public MachinePublic Public { get; }

    /// <summary>The imported key the responder uses.</summary>
    public NoiseStaticKey Static { get; }

    public void Dispose() => Static.Dispose();
}
