using System.Collections.Immutable;
using System.Text.Json;
using Appliance.Protocol.Control;
using Appliance.State.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.State.Coordinator;

/// <summary>
/// The only writer of tailnet state. Every change (a client's registration or map request, an operator's command,
/// the heartbeat) runs as a command on one serialized writer, persists only the columns it changes through
/// <see cref="INodeRepository"/>, then is published as a new <see cref="TailnetSnapshot"/>; readers use
/// <see cref="Snapshot"/> without locking. Nothing learns about a change by re-reading the database. What each
/// published version changed goes to the <see cref="MapStreamHub"/> (<see cref="Streams"/>), which sends it to every
/// idle map stream as soon as the command has left the writer and coalesces it for streams busy sending.
/// <para>
/// Lock discipline, outermost first (asserted in debug builds by <see cref="AssertWriter"/> and the hub):
/// 1. <c>MapSession.Gate</c> (one stream's send state);
/// 2. <c>_write</c>, the writer: guards <c>_snapshot</c>, the hub's stream set and change log, and every repository
///    write; taken only through <see cref="Write{T}"/>, <see cref="Load"/> and a policy refresh (which a stream
///    may do under its gate);
/// 3. the hub's change-log lock (a leaf).
/// Code holding <c>_write</c> never takes a gate and never calls out to a stream: the fan-out runs after the
/// writer is released (<see cref="Write{T}"/>), and a stream is closed only after leaving it.
/// </para>
/// The two classes the coordinator owns run their changes on this writer too: the <see cref="RegistrationFlow"/>
/// (<see cref="Registrations"/>) calls <see cref="Write{T}"/>/<see cref="Publish"/>, and the <see cref="MapStreamHub"/>
/// is told each change by <see cref="CommitLocked"/>; neither has a lock of its own that is taken around the writer.
/// Files: this one (snapshot, publish, the writer), ControlCoordinator.Policy.cs (ApplyPolicy, recompiles),
/// Commands/ (operator node commands, the ITailnetWriter, DirectCoordinator), Registration/ (the RegistrationFlow:
/// register decisions and interactive approvals; the coordinator's forwarding members), Streams/ (the hub and its sessions, map requests, connect/disconnect, heartbeat, guarded
/// background work, presence).
/// </summary>
public sealed partial class ControlCoordinator : IDisposable
{
    private readonly Lock _write = new();
    private readonly ILogger _log;
    private readonly CoordinatorOptions _options;
    private readonly INodeRepository _nodes;
    private readonly IUserDirectory _users;
    private readonly TimeProvider _time;
    private readonly ITimer _heartbeat;
    private TailnetSnapshot _snapshot = TailnetSnapshot.Empty;

    public ControlCoordinator(
        CoordinatorOptions options,
        INodeRepository nodes,
        IUserDirectory users,
        IPreAuthKeyAuthority keys,
        IDerpMapProvider derp,
        IPacketFilterProvider filter,
        TimeProvider time,
        ILogger? logger = null,
        IPendingLoginRepository? pendingLogins = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _log = logger ?? NullLogger.Instance;
        _options = options;
        _nodes = nodes;
        _users = users;
        _time = time;
        Maps = new MapBuilder(options, derp, filter, time);
        Registrations = new RegistrationFlow(this, options, nodes, users, keys, pendingLogins ?? new InMemoryPendingLogins(), time, _log);
        Streams = new MapStreamHub(Maps, () => Snapshot, () => _write.IsHeldByCurrentThread, time, options.SessionQueueCapacity);
        _heartbeat = time.CreateTimer(_ => Guarded("heartbeat", Heartbeat), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// The current tailnet; lock-free, except that a snapshot whose policy is stale (a topology change not yet
    /// recompiled) is brought up to date first, so no reader builds a map from views that lack a new node.
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

    /// <summary>The published snapshot as the writer sees it (no policy refresh): read it only on the writer.</summary>
    internal TailnetSnapshot Current
    {
        get
        {
            AssertWriter();
            return _snapshot;
        }
    }

    /// <summary>The connected map streams and the fan-out of each published change to them.</summary>
    public MapStreamHub Streams { get; }

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

            // Every node starts offline: the election keeps each prefix on its lowest-id router until one reconnects.
            snapshot = ElectPrimaryRoutes(TailnetSnapshot.Empty, snapshot, new ChangeSet(), all: true);
            Streams.Reset(1);
            Volatile.Write(ref _snapshot, snapshot with { Version = 1 });
        }
    }

    public void Dispose()
    {
        _heartbeat.Dispose();
        _deferredFanOut?.Dispose();
        Streams.CloseAll();
    }

    internal NodeEntry Project(TailnetNode record, Hostinfo? hostinfo, bool online, int cap, DateTimeOffset now) =>
        new(record, hostinfo, online, cap, NodeProjection.Project(record, hostinfo, online, cap, _options.Dns.BaseDomain, now));

    internal NodeEntry Reproject(NodeEntry entry, TailnetNode? record = null, Hostinfo? hostinfo = null, bool? online = null, int? cap = null) =>
        Project(record ?? entry.Record, hostinfo ?? entry.Hostinfo, online ?? entry.Online, cap ?? entry.Cap, _time.GetUtcNow());

    internal TailnetSnapshot WithUser(TailnetSnapshot snapshot, long? userId)
    {
        if (userId is not { } id || snapshot.Users.ContainsKey(id))
        {
            return snapshot;
        }

        return _users.Find(id) is { } user ? snapshot with { Users = snapshot.Users.SetItem(id, user) } : snapshot;
    }

    /// <summary>
    /// Publishes a new snapshot and records what changed for the map streams; call with the write lock held. A
    /// change to what the policy depends on marks the policy stale (recompiled once before the next delta or full
    /// map). The change reaches the streams when the command leaves the writer (<see cref="Write{T}"/>).
    /// </summary>
    internal void Publish(TailnetSnapshot next, Action<ChangeSet> change)
    {
        AssertWriter();
        var previous = _snapshot;
        var step = new ChangeSet { Since = _time.GetTimestamp() };
        change(step);
        next = ElectPrimaryRoutes(previous, next, step);
        if (next.Policy.IsActive && !next.PolicyStale && TopologyChanged(previous, next, step))
        {
            next = next with { PolicyStale = true };
        }

        CommitLocked(next with { Version = previous.Version + 1 }, step);
    }

    /// <summary>
    /// Makes <paramref name="next"/> the live snapshot. The change log learns the version first, so a stream that
    /// sees the new snapshot always finds what it changed.
    /// </summary>
    private void CommitLocked(TailnetSnapshot next, ChangeSet step)
    {
        AssertWriter();
        Streams.Record(next.Version, step, next.Nodes.Count);
        Volatile.Write(ref _snapshot, next);
    }

    /// <summary>Debug builds: fails when tailnet state is written off the writer (see the class comment).</summary>
    [System.Diagnostics.Conditional("DEBUG")]
    internal void AssertWriter() => System.Diagnostics.Debug.Assert(_write.IsHeldByCurrentThread, "tailnet state is written only on the coordinator's writer (_write)");

    /// <summary>
    /// Runs a command on the writer, then, with the writer released, hands what it published to every idle stream.
    /// A failing fan-out is logged and counted; it never fails the command, which has already taken effect.
    /// </summary>
    internal T Write<T>(Func<T> body)
    {
        var nested = _write.IsHeldByCurrentThread;
        T result;
        lock (_write)
        {
            result = body();
        }

        // A command run inside another (the lock is re-entrant) leaves the fan-out to the outer one, off the writer.
        if (!nested)
        {
            Guarded("fan-out", Streams.FanOut);
        }

        return result;
    }

    /// <summary>Hands the newest changes to every idle stream now (the hub does this after every command by itself).</summary>
    public void Flush() => Streams.FanOut();

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
