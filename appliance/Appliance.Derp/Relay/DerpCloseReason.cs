namespace Appliance.Derp.Relay;

/// <summary>Why <see cref="DerpServer.AcceptAsync"/> returned. Hosting logs it (client-caused reasons at Debug).</summary>
public enum DerpCloseReason
{
    /// <summary>The client closed its side.</summary>
    ClientClosed,

    /// <summary>The server is shutting down; the client got a Restarting frame.</summary>
    ServerShutdown,

    /// <summary>The caller's cancellation token fired (the HTTP connection was aborted).</summary>
    Aborted,

    /// <summary>Too many connections.</summary>
    AtCapacity,

    /// <summary>No ClientInfo within the handshake timeout, or the stream ended before it.</summary>
    HandshakeTimeout,

    /// <summary>The first frame was not ClientInfo, or its box did not open, or its JSON was bad.</summary>
    HandshakeFailed,

    /// <summary>The admission check refused the node key.</summary>
    NotAdmitted,

    /// <summary>The client broke the protocol (oversized or malformed frame, mesh frames without a mesh key).</summary>
    ProtocolError,

    /// <summary>The ClientInfo carried a meshKey that is not this server's (or this server has no mesh).</summary>
    MeshKeyRejected,

    /// <summary>Closed by <see cref="DerpServer.Disconnect"/> (node deleted or expired).</summary>
    Disconnected,
}
