namespace Appliance.Derp.Mesh;

/// <summary>Counters of the DERP mesh on one server (kept apart from <see cref="Relay.DerpMetrics"/>: mesh only).</summary>
public sealed class DerpMeshMetrics
{
    internal long PacketsForwardedValue;
    internal long PacketsForwardDroppedValue;
    internal long PacketsReceivedValue;
    internal long MeshKeyRejectedValue;

    /// <summary>Packets for a client homed on a mesh peer, handed to that peer's link.</summary>
    public long PacketsForwarded => Interlocked.Read(ref PacketsForwardedValue);

    /// <summary>Packets for a client homed on a mesh peer that were dropped because the link was down or full.</summary>
    public long PacketsForwardDropped => Interlocked.Read(ref PacketsForwardDroppedValue);

    /// <summary>ForwardPacket frames from mesh peers delivered to a local client.</summary>
    public long PacketsReceived => Interlocked.Read(ref PacketsReceivedValue);

    /// <summary>Connections that presented a mesh key that is not this server's (or when this server has none).</summary>
    public long MeshKeyRejected => Interlocked.Read(ref MeshKeyRejectedValue);
}
