namespace Appliance.Derp.Relay;

/// <summary>
/// Monotonic counters of the relay (and the current connection gauge), read by Hosting's metrics endpoint. Updated with
/// Interlocked on the hot path; reading is a plain snapshot and never blocks the relay.
/// </summary>
public sealed class DerpMetrics
{
    internal long ConnectionsCurrentValue;
    internal long ConnectionsHandshakingValue;
    internal long ConnectionsRefusedPendingValue;
    internal long ConnectionsAcceptedValue;
    internal long ConnectionsRefusedCapacityValue;
    internal long ConnectionsRefusedAdmissionValue;
    internal long HandshakeFailuresValue;
    internal long ProtocolErrorsValue;
    internal long DisconnectedByServerValue;
    internal long PacketsRelayedValue;
    internal long BytesRelayedValue;
    internal long PacketsDroppedQueueFullValue;
    internal long PacketsDroppedUnknownDestinationValue;
    internal long PacketsDroppedGoneValue;
    internal long ControlFramesDroppedValue;
    internal long KeepAlivesSentValue;

    /// <summary>Admitted connections (handshake done, key allowed): what <c>derp.max_connections</c> limits.</summary>
    public long ConnectionsCurrent => Interlocked.Read(ref ConnectionsCurrentValue);

    /// <summary>Connections still in their handshake: what <c>derp.max_pending_handshakes</c> limits.</summary>
    public long ConnectionsHandshaking => Interlocked.Read(ref ConnectionsHandshakingValue);

    /// <summary>Refused because too many connections were already handshaking.</summary>
    public long ConnectionsRefusedPending => Interlocked.Read(ref ConnectionsRefusedPendingValue);

    public long ConnectionsAccepted => Interlocked.Read(ref ConnectionsAcceptedValue);

    public long ConnectionsRefusedCapacity => Interlocked.Read(ref ConnectionsRefusedCapacityValue);

    public long ConnectionsRefusedAdmission => Interlocked.Read(ref ConnectionsRefusedAdmissionValue);

    public long HandshakeFailures => Interlocked.Read(ref HandshakeFailuresValue);

    public long ProtocolErrors => Interlocked.Read(ref ProtocolErrorsValue);

    public long DisconnectedByServer => Interlocked.Read(ref DisconnectedByServerValue);

    public long PacketsRelayed => Interlocked.Read(ref PacketsRelayedValue);

    public long BytesRelayed => Interlocked.Read(ref BytesRelayedValue);

    /// <summary>Dropped because the receiver's send queue was full (a slow receiver).</summary>
    public long PacketsDroppedQueueFull => Interlocked.Read(ref PacketsDroppedQueueFullValue);

    /// <summary>Dropped because no client with that key is connected here.</summary>
    public long PacketsDroppedUnknownDestination => Interlocked.Read(ref PacketsDroppedUnknownDestinationValue);

    /// <summary>Queued for a receiver that went away before they were written.</summary>
    public long PacketsDroppedGone => Interlocked.Read(ref PacketsDroppedGoneValue);

    /// <summary>Pongs, PeerGone and other control frames not sent because that client had too many pending (ping floods).</summary>
    public long ControlFramesDropped => Interlocked.Read(ref ControlFramesDroppedValue);

    public long KeepAlivesSent => Interlocked.Read(ref KeepAlivesSentValue);
}
