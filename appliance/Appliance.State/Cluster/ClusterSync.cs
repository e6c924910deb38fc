using System.Threading.Channels;
using Appliance.State.Coordinator;
using Appliance.Storage.Cluster;
using Appliance.Storage.Database;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.State.Cluster;

/// <summary>
/// One appliance's part in several appliances sharing a PostgreSQL database (issue 17, docs/ops/ha.md):
/// <list type="bullet">
/// <item>listens for the change triggers' NOTIFY (Storage's <see cref="ChangeListener"/>) and, after each one and
/// after every (re)connect, reads <c>ha_changes</c> by sequence from its <see cref="ChangeCursor"/> and applies what
/// other instances committed through the coordinator's own commands (re-read the row, publish, fan out);</item>
/// <item>keeps this instance's lease in <c>ha_instances</c> and its streams in <c>ha_presence</c>, and sweeps the
/// presence of instances whose lease ran out (under a run-once lease);</item>
/// <item>runs the <see cref="CrashWatch"/>: an instance whose database connection ends (a crash) has its presence
/// removed within about a second, without waiting for its lease;</item>
/// <item>hands the coordinator its run-once leases (ephemeral GC).</item>
/// </list>
/// Everything here is background work: a failure is logged and retried, never fatal. Not used on SQLite.
/// </summary>
public sealed class ClusterSync : IClusterPresence, IAsyncDisposable
{
    private readonly ControlCoordinator _coordinator;
    private readonly ClusterChangeStore _changes;
    private readonly PresenceStore _presence;
    private readonly DatabaseRunOnceLease _leases;
    private readonly ChangeListener _listener;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ChangeCursor _cursor;
    private readonly CrashWatch? _crashWatch;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;
    private Task _listening = Task.CompletedTask;
    private Task _applying = Task.CompletedTask;
    private bool _listenerDown;
    private long _lastHousekeeping;

    private ClusterSync(ControlCoordinator coordinator, ApplianceDatabase database, ChangeListener listener, TimeProvider time, ILogger log)
    {
        _coordinator = coordinator;
        _changes = new ClusterChangeStore(database);
        _presence = new PresenceStore(database);
        _leases = new DatabaseRunOnceLease(new LeaseStore(database), database.InstanceId, time) { Duration = InstanceLease };
        _listener = listener;
        _time = time;
        _log = log;
        _cursor = new ChangeCursor(time);
        _crashWatch = CrashWatch.For(database, coordinator, time, log);
        InstanceId = database.InstanceId;
    }

    /// <summary>How long this instance's lease lasts without renewal: when it hangs (or crashes unseen by the <see cref="CrashWatch"/>), its nodes count offline elsewhere this much later.</summary>
    public static TimeSpan InstanceLease { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the lease is renewed, crashed instances swept and old changes trimmed.</summary>
    public static TimeSpan HousekeepingInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long applied changes stay in <c>ha_changes</c> (for instances catching up after a pause).</summary>
    public static TimeSpan ChangeRetention { get; set; } = TimeSpan.FromHours(1);

    public string InstanceId { get; }

    /// <summary>The change sequence this instance has applied up to.</summary>
    public long AppliedThrough => _cursor.Floor;

    /// <summary>Raised (on the sync's thread) when another instance stored a policy version: reload the live policy.</summary>
    public event Action? PolicyChanged;

    /// <summary>
    /// The sync for a PostgreSQL database, attached to <paramref name="coordinator"/> (presence and leases), or null
    /// on SQLite. Call before the coordinator starts; then <see cref="Start"/> after it has loaded the tailnet.
    /// </summary>
    public static ClusterSync? Attach(ControlCoordinator coordinator, ApplianceDatabase database, TimeProvider time, ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        ArgumentNullException.ThrowIfNull(database);
        if (!database.IsShared || ChangeListener.For(database, time) is not { } listener)
        {
            return null;
        }

        var sync = new ClusterSync(coordinator, database, listener, time, log ?? NullLogger.Instance);
        coordinator.AttachCluster(sync, sync._leases);
        return sync;
    }

    /// <summary>
    /// Joins: renews this instance's lease, notes the newest change, re-reads every node (so nothing committed since
    /// the coordinator loaded is missed), learns which nodes stream elsewhere, then listens.
    /// </summary>
    public void Start()
    {
        var now = _time.GetUtcNow();
        _presence.RenewInstance(now, now + InstanceLease);
        _cursor.Reset(_changes.Latest());
        _coordinator.Reconcile();
        _coordinator.ApplyPresence(_presence.OnlineElsewhere(now));
        _lastHousekeeping = _time.GetTimestamp();
        StateEvents.ClusterJoined(_log, InstanceId, _cursor.Floor);
        _listening = Task.Run(() => _listener.RunAsync(Wake, Lost, _stopping.Token));
        _applying = Task.Run(ApplyLoopAsync);
        _crashWatch?.Start();
    }

    /// <summary>Reads and applies every change after the cursor now (the loop does this on each wake-up).</summary>
    public int CatchUp()
    {
        var applied = 0;
        while (true)
        {
            var batch = _changes.ReadAfter(_cursor.Floor);
            var fresh = 0;
            foreach (var change in batch)
            {
                if (!_cursor.Accept(change.Seq))
                {
                    continue;
                }

                fresh++;
                if (change.Origin == InstanceId)
                {
                    continue;
                }

                try
                {
                    ApplyOne(change);
                    applied++;
                }
                catch
                {
                    _cursor.Forget(change.Seq);
                    throw;
                }
            }

            _cursor.Advance();
            if (batch.Count < 1000 || fresh == 0)
            {
                return applied;
            }
        }
    }

    /// <summary>Renews the lease, sweeps crashed instances (one instance at a time) and trims old changes.</summary>
    public void Housekeeping()
    {
        var now = _time.GetUtcNow();
        _presence.RenewInstance(now, now + InstanceLease);
        if (_leases.TryTake("presence-sweep"))
        {
            var swept = _presence.SweepExpired(now);
            if (swept > 0)
            {
                StateEvents.ClusterInstancesSwept(_log, swept);
            }

            _changes.TrimBefore(now - ChangeRetention);
        }

        // The whole presence picture again: covers the sweeper's own deletions (an instance skips its own changes)
        // and a lease that ran out before anyone swept it.
        _coordinator.ApplyPresence(_presence.OnlineElsewhere(now));
    }

    void IClusterPresence.Connected(long nodeId) => _presence.Connected(nodeId, _time.GetUtcNow());

    void IClusterPresence.Disconnected(long nodeId) => _presence.Disconnected(nodeId);

    /// <summary>Stops the sync once: the host's StopAsync and then its container both call this.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _crashWatch?.Leaving();
        await _stopping.CancelAsync().ConfigureAwait(false);
        _wake.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_listening, _applying).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        // A clean stop: this instance's nodes go offline elsewhere now instead of when the lease runs out.
        Background("leave", () =>
        {
            _presence.RemoveInstance();
            _leases.Release("presence-sweep");
            _leases.Release("ephemeral-gc");
        });
        if (_crashWatch is not null)
        {
            await _crashWatch.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private void ApplyOne(ClusterChange change)
    {
        switch (change.Entity)
        {
            case "node":
                _coordinator.ApplyStoredNode(change.RowId);
                break;
            case "user":
                _coordinator.ApplyStoredUser(change.RowId);
                break;
            case "presence":
                var elsewhere = _presence.IsOnlineElsewhere(change.RowId, _time.GetUtcNow());
                _coordinator.ApplyPresence(elsewhere ? new HashSet<long> { change.RowId } : new HashSet<long>(), change.RowId);
                break;
            case "policy":
                PolicyChanged?.Invoke();
                break;
            case "login":
                // A waiting interactive login was decided on another instance: answer its client if it waits here.
                _coordinator.Registrations.ApplyStoredLogin(change.RowId);
                break;
            default:
                // A change kind from a newer release: nothing this one knows to reload.
                break;
        }

        StateEvents.ClusterChangeApplied(_log, change.Seq, change.Origin, change.Entity, change.RowId);
    }

    private void Wake(bool connected)
    {
        if (connected && _listenerDown)
        {
            _listenerDown = false;
            StateEvents.ClusterListenerRestored(_log, _cursor.Floor);
        }

        _wake.Writer.TryWrite(connected);
    }

    private void Lost(Exception e)
    {
        if (!_listenerDown)
        {
            _listenerDown = true;
            StateEvents.ClusterListenerLost(_log, e.Message);
        }
    }

    private async Task ApplyLoopAsync()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            var connected = true;
            try
            {
                using var timeout = new CancellationTokenSource(HousekeepingInterval, _time);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
                connected = await _wake.Reader.ReadAsync(either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                // The housekeeping interval passed without a wake-up.
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ChannelClosedException)
            {
                return;
            }

            if (connected)
            {
                Background("change catch-up", () => CatchUp());
            }

            if (_time.GetElapsedTime(_lastHousekeeping) >= HousekeepingInterval)
            {
                _lastHousekeeping = _time.GetTimestamp();
                Background("cluster housekeeping", Housekeeping);
            }
        }
    }

    private void Background(string work, Action body)
    {
        try
        {
            body();
        }
        catch (Exception e)
        {
            // A database that is restarting fails here; the next wake-up (at the latest the housekeeping interval) retries.
            StateEvents.BackgroundWorkFailed(_log, e, work);
        }
    }
}
