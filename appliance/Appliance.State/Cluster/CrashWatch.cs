using Appliance.State.Coordinator;
using Appliance.Storage.Cluster;
using Appliance.Storage.Database;
using Microsoft.Extensions.Logging;

namespace Appliance.State.Cluster;

/// <summary>
/// Takes a crashed instance's nodes offline within about a second instead of when its 15 s lease runs out (issue 17,
/// docs/ops/ha.md "Presence"): runs Storage's <see cref="InstanceLiveness"/> (this instance's advisory lock, and a
/// look every tick at everyone's), asks the <see cref="CrashDetector"/> who crashed, and removes each crashed
/// instance's presence (a change like any other: every instance takes those nodes offline, and route failover
/// follows). The lease stays the fallback for an instance that hangs with its connection open and for a crash
/// during a PostgreSQL restart.
/// <para>
/// The other side: an instance that was counted crashed while alive (its lock connection was cut, or it hung past its
/// lease) finds its registration gone at its next look and registers again with every stream it holds.
/// </para>
/// Everything here is background work: a failure is logged and retried, never fatal.
/// </summary>
internal sealed class CrashWatch : IAsyncDisposable
{
    private readonly InstanceLiveness _liveness;
    private readonly PresenceStore _presence;
    private readonly ControlCoordinator _coordinator;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CrashDetector _detector = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;
    private volatile bool _leaving;
    private bool _connectionDown;
    private long _keyTakenWarned;

    private CrashWatch(InstanceLiveness liveness, PresenceStore presence, ControlCoordinator coordinator, TimeProvider time, ILogger log)
    {
        _liveness = liveness;
        _presence = presence;
        _coordinator = coordinator;
        _time = time;
        _log = log;
    }

    /// <summary>How often the locks are looked at; a crash is noticed after two looks (see <see cref="CrashDetector"/>).</summary>
    public static TimeSpan Tick { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The watch for a PostgreSQL database, or null on SQLite.</summary>
    public static CrashWatch? For(ApplianceDatabase database, ControlCoordinator coordinator, TimeProvider time, ILogger log) =>
        InstanceLiveness.For(database, time, Tick) is { } liveness
            ? new CrashWatch(liveness, new PresenceStore(database), coordinator, time, log)
            : null;

    /// <summary>Starts watching; call once this instance is registered (its lease renewed).</summary>
    public void Start() => _running = Task.Run(() => _liveness.RunAsync(Observe, Lost, _stopping.Token));

    /// <summary>A clean stop is under way: this instance removes itself on purpose, so do not register it again.</summary>
    public void Leaving() => _leaving = true;

    /// <summary>Stops watching and releases this instance's lock (call after the instance has left).</summary>
    public async ValueTask DisposeAsync()
    {
        _leaving = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>One look. Never throws: it runs on the liveness loop, which must outlive any database hiccup.</summary>
    internal void Observe(LivenessReport report)
    {
        try
        {
            _connectionDown = false;
            if (!report.HoldsOwnLock && report.Epoch != _keyTakenWarned)
            {
                _keyTakenWarned = report.Epoch;
                StateEvents.ClusterLivenessKeyTaken(_log, InstanceLiveness.LockKey(_liveness.InstanceId));
            }

            var others = report.Instances.Where(i => i.Key != _liveness.InstanceId).ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);
            var crashed = _detector.Observe(report.Epoch, others);
            foreach (var instance in crashed)
            {
                StateEvents.ClusterInstanceCrashed(_log, instance, _presence.RemoveCrashed(instance));
            }

            if (crashed.Count > 0)
            {
                // This instance skips its own changes in the feed, so it applies the removal itself.
                _coordinator.ApplyPresence(_presence.OnlineElsewhere(_time.GetUtcNow()));
            }

            if (!_leaving && !report.Instances.ContainsKey(_liveness.InstanceId))
            {
                var now = _time.GetUtcNow();
                _presence.RenewInstance(now, now + ClusterSync.InstanceLease);
                StateEvents.ClusterPresenceRepublished(_log, _coordinator.RepublishPresence());
            }
        }
        catch (Exception e)
        {
            StateEvents.BackgroundWorkFailed(_log, e, "crash watch");
        }
    }

    private void Lost(Exception e)
    {
        if (!_connectionDown)
        {
            _connectionDown = true;
            StateEvents.ClusterLivenessLost(_log, e.Message);
        }
    }
}
