using Appliance.Protocol.Keys;

namespace Appliance.Control;

/// <summary>
/// The seam between the ts2021 transport (Appliance.Control/Noise) and the control handlers.
/// The transport sets this feature on every HTTP/2 request that arrived inside an authenticated Noise session;
/// a request without it did not come over Noise and must be refused by every /machine/* handler.
/// </summary>
public interface INoiseSessionFeature
{
    /// <summary>The client's machine key, proven by the Noise IK handshake: the identity for every request on the connection.</summary>
    MachinePublic ClientMachineKey { get; }

    /// <summary>The protocol (capability) version the client sent in its Noise initiation header.</summary>
    int ProtocolVersion { get; }
}
