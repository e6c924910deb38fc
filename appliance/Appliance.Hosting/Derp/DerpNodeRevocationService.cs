using Appliance.Derp.Relay;
using Appliance.Protocol.Keys;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Derp;

/// <summary>
/// Enforces admission on open DERP connections: once a second (one timer for the whole relay) it re-checks every key
/// the relay admitted against the coordinator's snapshot and closes the connections of nodes that were deleted,
/// re-keyed or expired (operator `nodes expire` or the key's lifetime ending). Checking admitted keys rather than
/// diffing snapshots also catches a node registered and deleted between two sweeps. A sweep rather than an event
/// keeps State free of any DERP dependency and also catches expiry by the clock.
/// </summary>
internal sealed partial class DerpNodeRevocationService(
    TailnetDerpAdmission admission, DerpServer server, TimeProvider time, ILogger<DerpNodeRevocationService> logger) : IHostedService, IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly Lock _sweep = new();
    private ITimer? _timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = time.CreateTimer(_ => Sweep(), null, Period, Period);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>
    /// One pass over the keys the relay admitted: a key no longer admitted (node deleted, re-keyed or expired) has its
    /// connections closed; a key no longer connected is forgotten. Returns how many connections were closed.
    /// </summary>
    public int Sweep()
    {
        lock (_sweep)
        {
            var snapshot = admission.Coordinator.Snapshot;
            var now = time.GetUtcNow();
            var closed = 0;
            foreach (var key in admission.Admitted)
            {
                if (!TailnetDerpAdmission.IsAdmitted(snapshot, key, now))
                {
                    closed += Revoke(key, snapshot.FindByNodeKey(key) is null ? "node removed" : "node key expired");
                    admission.Forget(key);
                }
                else if (!server.IsConnected(key))
                {
                    admission.Forget(key);
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
