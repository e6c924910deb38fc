using System.Buffers;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Mesh;

/// <summary>
/// A way to reach clients homed on another DERP server of the mesh (derpserver.go PacketForwarder): the mesh client
/// that watches that server. <see cref="Relay.DerpServer"/> hands it packets for keys it does not hold itself.
/// </summary>
public interface IDerpMeshForwarder
{
    /// <summary>The peer this forwarder reaches, for logs and metrics.</summary>
    string PeerName { get; }

    /// <summary>Queues a ForwardPacket(source, destination, packet) to the peer; false (dropped) when the link is down or full.</summary>
    bool TryForward(NodePublic source, NodePublic destination, in ReadOnlySequence<byte> packet);
}
