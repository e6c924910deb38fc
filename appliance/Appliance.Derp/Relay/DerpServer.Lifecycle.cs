using Appliance.Protocol.Keys;

namespace Appliance.Derp.Relay;

/// <summary>Keep-alive heartbeat, server-initiated disconnects and graceful shutdown.</summary>
public sealed partial class DerpServer
{
    /// <summary>
    /// One heartbeat for all connections (no timer per connection): sends KeepAlive to every client whose 60 s + jitter
    /// has passed, and lets go of batch buffers that stayed unused since the last beat. Called by the server's single
    /// timer every <see cref="DerpServerOptions.HeartbeatPeriod"/>; public so that tests drive it with virtual time.
    /// </summary>
    public void RunHeartbeat()
    {
        _ = Buffers.Trim();
        var now = TimeProvider.GetTimestamp();
        foreach (var connection in _connections.Keys)
        {
            if (now >= connection.NextKeepAliveTimestamp)
            {
                connection.NextKeepAliveTimestamp = now + NextKeepAliveDelayTicks();
                if (connection.TryEnqueueKeepAlive())
                {
                    _ = Interlocked.Increment(ref Metrics.KeepAlivesSentValue);
                }
            }
        }
    }

    /// <summary>
    /// Closes every connection of <paramref name="node"/> (State calls it when a node is deleted or its key expires).
    /// Returns how many connections were closed.
    /// </summary>
    public int Disconnect(NodePublic node)
    {
        DerpConnection[] victims;
        lock (_registryLock)
        {
            victims = _byKey.TryGetValue(node, out var list) ? [.. list] : [];
        }

        foreach (var victim in victims)
        {
            victim.Abort(DerpCloseReason.Disconnected);
            _ = Interlocked.Increment(ref Metrics.DisconnectedByServerValue);
        }

        return victims.Length;
    }

    /// <summary>
    /// Stops accepting, sends Restarting to every client as its last frame, waits up to
    /// <see cref="DerpServerOptions.ShutdownDrainTimeout"/> for the queues to drain, then closes what is left.
    /// </summary>
    public async Task ShutdownAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        var connections = _connections.Keys.ToArray();
        foreach (var connection in connections)
        {
            connection.BeginRestart(Options.RestartReconnectIn, Options.RestartTryFor);
        }

        // Suppressed: a timeout (slow clients are closed below without the rest of their queue), the host giving up,
        // or one connection's failure must never fail the shutdown of all the others.
        await Task.WhenAll(connections.Select(c => c.WriterTask))
            .WaitAsync(Options.ShutdownDrainTimeout, TimeProvider, cancellationToken)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        foreach (var connection in connections)
        {
            connection.Abort(DerpCloseReason.ServerShutdown);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
    }

    private long NextKeepAliveDelayTicks()
    {
        var jitter = Options.KeepAliveJitter.Ticks > 0 ? Random.Shared.NextInt64(Options.KeepAliveJitter.Ticks) : 0;
        var delay = Options.KeepAliveInterval + TimeSpan.FromTicks(jitter);
        return (long)(delay.TotalSeconds * TimeProvider.TimestampFrequency);
    }
}
