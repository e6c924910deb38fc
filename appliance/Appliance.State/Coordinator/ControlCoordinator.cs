using System.Collections.Immutable;
using System.Text.Json;
using Appliance.Protocol.Control;
using Appliance.Storage.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.State.Coordinator;

/// <summary>
/// The only writer of tailnet state. Every change (a client's registration or map request, an operator's command,
/// the heartbeat) runs as a command on one serialized writer, persists only the columns it changes through
/// <see cref="INodeRepository"/>, then is published as a new <see cref="TailnetSnapshot"/>; readers use
/// <see cref="Snapshot"/> without locking. Nothing learns about a change by re-reading the database. Every change
/// is also recorded in the pending <see cref="ChangeSet"/>, which is flushed to connected map streams after
/// <see cref="CoordinatorOptions.CoalesceWindow"/> (at once when the window is zero).
/// <para>
/// Writer discipline (asserted in debug builds by <see cref="AssertWriter"/>): <c>_write</c> guards
/// <c>_snapshot</c>, <c>_pending</c>, <c>_sessions</c> and every repository write; it is taken only through
/// <see cref="Write{T}"/> (or for a policy refresh). Lock order is <c>_flush</c> → <c>MapSession.Gate</c> →
/// <c>_write</c>; code holding <c>_write</c> never takes another lock and never calls out to a stream.
/// </para>
/// Files: this one (snapshot, publish, flush), ControlCoordinator.Policy.cs (ApplyPolicy, recompiles), Commands/
/// (operator node commands, the ITailnetWriter, DirectCoordinator), Registration/ (register flow, interactive
/// approvals), Streams/ (map requests, sessions, heartbeat, guarded background work, presence).
/// </summary>
public sealed partial class ControlCoordinator : IDisposable
{
    private readonly Lock _write = new();
    private readonly Lock _flush = new();
    private readonly ILogger _log;
    private readonly CoordinatorOptions _options;
    private readonly INodeRepository _nodes;
    private readonly IUserDirectory _users;
    private readonly IPreAuthKeyAuthority _keys;
    private readonly TimeProvider _time;
    private readonly ITimer _flushTimer;
    private readonly ITimer _heartbeat;
    private TailnetSnapshot _snapshot = TailnetSnapshot.Empty;
    private ChangeSet _pending = new();
    private bool _flushScheduled;
    private bool _policyChanged;

    public ControlCoordinator(
        CoordinatorOptions options,
        INodeRepository nodes,
        IUserDirectory users,
        IPreAuthKeyAuthority keys,
        IDerpMapProvider derp,
        IPacketFilterProvider filter,
        TimeProvider time,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _log = logger ?? NullLogger.Instance;
        _options = options;
        _nodes = nodes;
        _users = users;
        _keys = keys;
        _time = time;
        Maps = new MapBuilder(options, derp, filter, time);
        _flushTimer = time.CreateTimer(_ => Guarded("flush", Flush), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _heartbeat = time.CreateTimer(_ => Guarded("heartbeat", Heartbeat), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// The current tailnet; lock-free, except that a snapshot whose policy is stale (a topology change not yet
    /// flushed) is brought up to date first, so no reader builds a map from views that lack a new node.
    /// </summary>
    public TailnetSnapshot Snapshot
    {
        get
        {
            var snapshot = Volatile.Read(ref _snapshot);
            if (!snapshot.PolicyStale)
            {
                return snapshot;
            }

            lock (_write)
            {
                RefreshPolicyLocked();
                return _snapshot;
            }
        }
    }

    public MapBuilder Maps { get; }

    public CoordinatorOptions Options => _options;

    public TimeProvider Time => _time;

    /// <summary>Loads every stored node (all start offline) and starts the heartbeat. Call once at startup.</summary>
    public void Start()
    {
        Load();
        _heartbeat.Change(_options.HeartbeatInterval, _options.HeartbeatInterval);
    }

    /// <summary>
    /// Loads every stored node without starting the heartbeat: the CLI's in-process coordinator when the service
    /// is stopped, so operator commands take the same path either way.
    /// </summary>
    public void Load()
    {
        lock (_write)
        {
            var snapshot = TailnetSnapshot.Empty;
            var now = _time.GetUtcNow();
            foreach (var record in _nodes.LoadAll())
            {
                snapshot = snapshot.With(Project(record, ParseHostinfo(record.HostinfoJson), online: false, cap: 0, now));
                snapshot = WithUser(snapshot, record.UserId);
            }

            Volatile.Write(ref _snapshot, snapshot with { Version = 1 });
        }
    }

    public void Dispose()
    {
        _flushTimer.Dispose();
        _heartbeat.Dispose();
        foreach (var session in Sessions.Values)
        {
            session.Close();
        }
    }

    private NodeEntry Project(NodeRecord record, Hostinfo? hostinfo, bool online, int cap, DateTimeOffset now) =>
        new(record, hostinfo, online, cap, NodeProjection.Project(record, hostinfo, online, cap, _options.Dns.BaseDomain, now));

    private NodeEntry Reproject(NodeEntry entry, NodeRecord? record = null, Hostinfo? hostinfo = null, bool? online = null, int? cap = null) =>
        Project(record ?? entry.Record, hostinfo ?? entry.Hostinfo, online ?? entry.Online, cap ?? entry.Cap, _time.GetUtcNow());

    private TailnetSnapshot WithUser(TailnetSnapshot snapshot, long? userId)
    {
        if (userId is not { } id || snapshot.Users.ContainsKey(id))
        {
            return snapshot;
        }

        return _users.Find(id) is { } user ? snapshot with { Users = snapshot.Users.SetItem(id, user) } : snapshot;
    }

    /// <summary>
    /// Publishes a new snapshot and records what changed; call with the write lock held. A change to what the policy
    /// depends on marks the policy stale (recompiled once before the next flush or full map).
    /// </summary>
    private void Publish(TailnetSnapshot next, Action<ChangeSet> change)
    {
        AssertWriter();
        var previous = _snapshot;
        var step = new ChangeSet { Since = _time.GetTimestamp() };
        change(step);
        if (next.Policy.IsActive && !next.PolicyStale && TopologyChanged(previous, next, step))
        {
            next = next with { PolicyStale = true };
        }

        if (!ReferenceEquals(previous.Policy, next.Policy))
        {
            _policyChanged = true;
        }

        Volatile.Write(ref _snapshot, next with { Version = previous.Version + 1 });
        _pending.Merge(step);
        if (_options.CoalesceWindow == TimeSpan.Zero)
        {
            return;
        }

        if (!_flushScheduled)
        {
            _flushScheduled = true;
            _flushTimer.Change(_options.CoalesceWindow, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Debug builds: fails when tailnet state is written off the writer (see the class comment).</summary>
    [System.Diagnostics.Conditional("DEBUG")]
    private void AssertWriter() => System.Diagnostics.Debug.Assert(_write.IsHeldByCurrentThread, "tailnet state is written only on the coordinator's writer (_write)");

    /// <summary>Runs a write under the lock, then flushes at once when coalescing is off.</summary>
    private T Write<T>(Func<T> body)
    {
        T result;
        lock (_write)
        {
            result = body();
        }

        if (_options.CoalesceWindow == TimeSpan.Zero)
        {
            Flush();
        }

        return result;
    }

    /// <summary>
    /// Sends the pending changes to every connected stream; serialised so deltas keep their order. Each stream's
    /// delta is computed from the snapshot its client last received (<see cref="MapSession.Baseline"/>), which is
    /// what lets a policy or topology change send PeersRemoved / new peers / new filters to exactly the nodes whose
    /// view changed. Without a policy every uninvolved stream shares one encoded message.
    /// </summary>
    public void Flush()
    {
        lock (_flush)
        {
            ChangeSet changes;
            TailnetSnapshot snapshot;
            bool policyChanged;
            lock (_write)
            {
                RefreshPolicyLocked();
                changes = _pending;
                _pending = new ChangeSet();
                _flushScheduled = false;
                policyChanged = _policyChanged;
                _policyChanged = false;
                snapshot = _snapshot;
            }

            if (changes.IsEmpty && !policyChanged)
            {
                return;
            }

            OutgoingMessage? shared = null;
            var now = _time.GetTimestamp();
            foreach (var session in Sessions.Values)
            {
                if (changes.Removed.Contains(session.NodeId))
                {
                    session.Close();
                    continue;
                }

                lock (session.Gate)
                {
                    // No full map yet (it will be built from a newer snapshot), or the last full map already is newer.
                    if (session.Baseline is not { } baseline || baseline.Version >= snapshot.Version)
                    {
                        continue;
                    }

                    OutgoingMessage? message;
                    if (baseline.Policy.IsActive || snapshot.Policy.IsActive)
                    {
                        message = Maps.PolicyDelta(baseline, snapshot, changes, session.NodeId) is { } personal ? new OutgoingMessage(personal) { ChangedAt = changes.Since } : null;
                    }
                    else if (changes.Involves(session.NodeId))
                    {
                        message = Maps.Delta(snapshot, changes, session.NodeId) is { } personal ? new OutgoingMessage(personal) { ChangedAt = changes.Since } : null;
                    }
                    else
                    {
                        shared ??= Maps.Delta(snapshot, changes, receiver: 0) is { } common ? new OutgoingMessage(common) { ChangedAt = changes.Since } : null;
                        message = shared;
                    }

                    session.Baseline = snapshot;
                    if (message is not null)
                    {
                        session.Enqueue(message);
                        session.Touch(now);
                    }
                }
            }
        }
    }

    internal static Hostinfo? ParseHostinfo(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, ControlJsonContext.Default.Hostinfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static string? SerializeHostinfo(Hostinfo? hostinfo) =>
        hostinfo is null ? null : JsonSerializer.Serialize(hostinfo, ControlJsonContext.Default.Hostinfo);

    private static ImmutableArray<System.Net.IPEndPoint> ParseEndpoints(IReadOnlyList<string>? endpoints) =>
        endpoints is null ? [] : [.. endpoints.Select(e => System.Net.IPEndPoint.TryParse(e, out var p) ? p : null).OfType<System.Net.IPEndPoint>()];
}
