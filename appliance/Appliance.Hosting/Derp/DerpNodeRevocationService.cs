using Appliance.Derp.Relay;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Derp;

/// <summary>
/// Enforces admission on open DERP connections: once a second (one timer for the whole relay) it closes the
/// connections of node keys that left the tailnet since the last look (node deleted, or re-registered with a new key)
/// and of connected nodes whose key has expired (operator `nodes expire` or the key's lifetime ending).
/// A sweep rather than an event keeps State free of any DERP dependency and also catches expiry by the clock.
/// </summary>
internal sealed partial class DerpNodeRevocationService(
    ControlCoordinator coordinator, DerpServer server, TimeProvider time, ILogger<DerpNodeRevocationService> logger) : IHostedService, IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly Lock _sweep = new();
    private TailnetSnapshot _previous = TailnetSnapshot.Empty;
    private ITimer? _timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _previous = coordinator.Snapshot;
        _timer = time.CreateTimer(_ => Sweep(), null, Period, Period);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>One pass; returns how many connections were closed.</summary>
    public int Sweep()
    {
        lock (_sweep)
        {
            var current = coordinator.Snapshot;
            var now = time.GetUtcNow();
            var closed = 0;
            if (!ReferenceEquals(current, _previous))
            {
                foreach (var key in _previous.ByNodeKey.Keys)
                {
                    if (!current.ByNodeKey.ContainsKey(key))
                    {
                        closed += Revoke(key, "node removed");
                    }
                }

                _previous = current;
            }

            foreach (var (key, id) in current.ByNodeKey)
            {
                if (current.Nodes[id].Record.IsKeyExpired(now) && server.IsConnected(key))
                {
                    closed += Revoke(key, "node key expired");
                }
            }

            return closed;
        }
    }

    private int Revoke(NodePublic key, string why)
    {
        var count = server.Disconnect(key);
        if (count > 0)
        {
            var shortKey = key.ShortString();
            Revoked(logger, shortKey, why, count);
        }

        return count;
    }

    [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "DERP: closed {Count} connection(s) of {NodeKey}: {Why}")]
    private static partial void Revoked(ILogger logger, string nodeKey, string why, int count);
}
