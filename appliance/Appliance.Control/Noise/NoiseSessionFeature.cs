using Appliance.Protocol.Keys;

namespace Appliance.Control.Noise;

/// <summary>What the handshake proved about the client, carried by every request on its Noise connection.</summary>
public sealed class NoiseSessionFeature : INoiseSessionFeature
{
    public NoiseSessionFeature(MachinePublic clientMachineKey, int protocolVersion, ChallengePublic nodeKeyChallenge)
    {
        ClientMachineKey = clientMachineKey;
        ProtocolVersion = protocolVersion;
        NodeKeyChallenge = nodeKeyChallenge;
    }

    public MachinePublic ClientMachineKey { get; }

    public int ProtocolVersion { get; }

    /// <summary>The challenge sent in the early payload (zero on the WebSocket path). Its private half is not kept: current clients never answer it.</summary>
    public ChallengePublic NodeKeyChallenge { get; }
}
