using Appliance.Protocol.Keys;

namespace Appliance.Hosting.Noise;

/// <summary>The loaded server static key and its public half (what GET /key publishes).</summary>
public sealed class NoiseServerKey
{
    public NoiseServerKey(MachinePrivate privateKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        Private = privateKey;
        Public = privateKey.Public;
    }

    public MachinePrivate Private { get; }

    public MachinePublic Public { get; }
}
