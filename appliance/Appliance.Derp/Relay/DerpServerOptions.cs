namespace Appliance.Derp.Relay;

/// <summary>Limits of the relay core. Every value has a safe default; Hosting fills them from the <c>derp:</c> config section.</summary>
public sealed class DerpServerOptions
{
    /// <summary>Maximum concurrent DERP connections (default 10,000; 1 … 1,000,000). Beyond it new connections are refused and counted.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// Maximum connections still in their handshake (default 256; 1 … 1,000,000), counted apart from
    /// <see cref="MaxConnections"/> so unauthenticated upgrades cannot lock admitted nodes out.
    /// </summary>
    public int MaxPendingHandshakes { get; set; } = 256;

    /// <summary>
    /// Packets queued per receiving connection before new ones are dropped and counted (default 32 like derper's
    /// perClientSendQueueDepth; 1 … 4,096). Bounds memory per slow receiver to about this × 64 KiB.
    /// </summary>
    public int SendQueuePackets { get; set; } = 32;

    /// <summary>Time allowed for the ClientInfo frame after ServerKey (default 10 s, as derper).</summary>
    public TimeSpan HandshakeTimeout { get; set; } = Protocol.Derp.DerpConstants.HandshakeTimeout;

    /// <summary>Server keep-alive interval (default 60 s) plus a random jitter of up to <see cref="KeepAliveJitter"/> (default 5 s).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = Protocol.Derp.DerpConstants.KeepAliveInterval;

    public TimeSpan KeepAliveJitter { get; set; } = Protocol.Derp.DerpConstants.KeepAliveJitter;

    /// <summary>Heartbeat tick that checks every connection's keep-alive (default 1 s). One timer for the whole server.</summary>
    public TimeSpan HeartbeatPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Told to clients in the Restarting frame on shutdown: reconnect after (default 2 s) and keep trying for (default 5 min).</summary>
    public TimeSpan RestartReconnectIn { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan RestartTryFor { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long shutdown waits for queued frames and Restarting to reach clients (default 2 s).</summary>
    public TimeSpan ShutdownDrainTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The region's mesh key (derp.mesh_key_file). A connection that presents it is a mesh peer: it skips node
    /// admission and may send WatchConns, ForwardPacket and ClosePeer. Null: no mesh, and any meshKey is refused.
    /// </summary>
    public Mesh.DerpMeshKey? MeshKey { get; set; }

    /// <summary>Throws with every problem listed when a value is out of range.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (MaxConnections is < 1 or > 1_000_000)
        {
            errors.Add($"derp.max_connections must be 1 … 1000000 (got {MaxConnections})");
        }

        if (MaxPendingHandshakes is < 1 or > 1_000_000)
        {
            errors.Add($"derp.max_pending_handshakes must be 1 … 1000000 (got {MaxPendingHandshakes})");
        }

        if (SendQueuePackets is < 1 or > 4096)
        {
            errors.Add($"derp.send_queue_packets must be 1 … 4096 (got {SendQueuePackets})");
        }

        if (HandshakeTimeout <= TimeSpan.Zero || KeepAliveInterval <= TimeSpan.Zero || HeartbeatPeriod <= TimeSpan.Zero || KeepAliveJitter < TimeSpan.Zero)
        {
            errors.Add("derp timeouts and intervals must be positive");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }
    }
}
