using System.Collections.Immutable;
using Debug = System.Diagnostics.Debug;
using Conditional = System.Diagnostics.ConditionalAttribute;
using Appliance.Protocol.Control;

namespace Appliance.State.Coordinator;

/// <summary>
/// The connected map streams and how a published change reaches them (issue 16: "send at once when idle").
/// The coordinator owns one hub; after each committed command it appends what changed to the
/// <see cref="ChangeLog"/> (<see cref="Record"/>, on its writer) and calls <see cref="FanOut"/> (after releasing
/// the writer). A stream with no send in flight gets its delta at once; a stream busy sending is left alone and,
/// when its send completes, catches up with one delta merging everything it missed (<see cref="AfterSend"/>). Every
/// stream's delta runs from the snapshot its client last received (<see cref="MapSession.Baseline"/>) to the
/// current one, so a policy or topology change reaches exactly the nodes whose view changed. Receivers a change
/// does not name share one encoded message per merged range. A stream however far behind catches up with one merged
/// delta (older versions are folded, see <see cref="ChangeLog"/>); only a stream older than the log's last reset or
/// fold bound gets a fresh full map.
/// <para>
/// Locks, outermost first (asserted in debug builds):
/// 1. <see cref="MapSession.Gate"/>, one stream's send state;
/// 2. the coordinator's writer, taken inside a gate only by <c>current()</c> to recompile a stale policy;
/// 3. the <see cref="ChangeLog"/>'s lock, a leaf.
/// Code on the writer never takes a gate, so <see cref="FanOut"/> and the keep-alives must not run on it; the
/// session set is changed only on the writer (so "is this node online" is decided in command order) and read
/// lock-free.
/// </para>
/// </summary>
public sealed class MapStreamHub
{
    private readonly MapBuilder _maps;
    private readonly Func<TailnetSnapshot> _current;
    private readonly Func<bool> _onWriter;
    private readonly TimeProvider _time;
    private readonly ChangeLog _log;
    private ImmutableDictionary<long, MapSession> _sessions = ImmutableDictionary<long, MapSession>.Empty;

    // Streams per node, kept beside _sessions (both written on the writer) so "is this node online" is one lookup:
    // it runs on every connect and disconnect, and a scan of every session there made registration O(N) (issue 16).
    private ImmutableDictionary<long, int> _streamsPerNode = ImmutableDictionary<long, int>.Empty;
    private long _nextSessionId;
    private int _fanOutRunning;
    private int _fanOutWanted;
    private long _sentAtOnce;
    private long _caughtUp;

    /// <param name="maps">Builds full maps and deltas.</param>
    /// <param name="current">The current snapshot, its policy brought up to date (the coordinator's <c>Snapshot</c>).</param>
    /// <param name="onWriter">True on the coordinator's writer (debug assertions only).</param>
    /// <param name="time">Clock for keep-alives and propagation timestamps.</param>
    /// <param name="logCapacity">How many versions a stream may fall behind before it is resynced with a full map.</param>
    internal MapStreamHub(MapBuilder maps, Func<TailnetSnapshot> current, Func<bool> onWriter, TimeProvider time, int logCapacity)
    {
        _maps = maps;
        _current = current;
        _onWriter = onWriter;
        _time = time;
        _log = new ChangeLog(logCapacity);
    }

    internal ImmutableDictionary<long, MapSession> Sessions => Volatile.Read(ref _sessions);

    public int Count => Sessions.Count;

    /// <summary>Deltas handed to a stream the moment a change was published (it had no send in flight).</summary>
    public long SentAtOnce => Interlocked.Read(ref _sentAtOnce);

    /// <summary>Deltas sent when a stream's previous send completed, merging what arrived meanwhile.</summary>
    public long CaughtUp => Interlocked.Read(ref _caughtUp);

    internal long LatestVersion => _log.Latest;

    public bool HasStream(long nodeId) => Volatile.Read(ref _streamsPerNode).ContainsKey(nodeId);

    /// <summary>Every node with at least one stream here.</summary>
    internal IEnumerable<long> StreamingNodes => Volatile.Read(ref _streamsPerNode).Keys;

    /// <summary>The tailnet was (re)loaded at <paramref name="version"/>; call on the writer.</summary>
    internal void Reset(long version)
    {
        AssertOnWriter();
        _log.Reset(version);
    }

    /// <summary>
    /// Records what the snapshot <paramref name="version"/> changed; call on the writer, in version order.
    /// <paramref name="tailnetSize"/> (that snapshot's node count) bounds how much the log keeps.
    /// </summary>
    internal void Record(long version, ChangeSet step, int tailnetSize = 0)
    {
        AssertOnWriter();
        _log.Append(version, step, tailnetSize);
    }

    /// <summary>Adds a stream for <paramref name="nodeId"/>; call on the writer. Its reader sends the full map.</summary>
    internal MapSession Open(long nodeId, bool zstd)
    {
        AssertOnWriter();
        var session = new MapSession(this, ++_nextSessionId, nodeId, zstd, _time.GetTimestamp());
        Volatile.Write(ref _streamsPerNode, _streamsPerNode.SetItem(nodeId, _streamsPerNode.GetValueOrDefault(nodeId) + 1));
        Volatile.Write(ref _sessions, _sessions.Add(session.Id, session));
        return session;
    }

    /// <summary>
    /// Removes a stream from the set; call on the writer, then <see cref="MapSession.Close"/> it after leaving the
    /// writer (closing takes its gate). False when it was already gone.
    /// </summary>
    internal bool Remove(MapSession session)
    {
        AssertOnWriter();
        if (!_sessions.ContainsKey(session.Id))
        {
            return false;
        }

        Volatile.Write(ref _sessions, _sessions.Remove(session.Id));
        var left = _streamsPerNode.GetValueOrDefault(session.NodeId) - 1;
        Volatile.Write(ref _streamsPerNode, left > 0 ? _streamsPerNode.SetItem(session.NodeId, left) : _streamsPerNode.Remove(session.NodeId));
        return true;
    }

    public void CloseAll()
    {
        foreach (var session in Sessions.Values)
        {
            session.Close();
        }
    }

    /// <summary>
    /// Hands the newest changes to every idle stream and ends the streams of deleted nodes. Concurrent callers do not
    /// queue up behind each other: one runs, and runs again if another asked meanwhile, so nothing is missed.
    /// </summary>
    public void FanOut()
    {
        Debug.Assert(!_onWriter(), "the fan-out takes stream gates, which the writer must never wait for");
        Interlocked.Exchange(ref _fanOutWanted, 1);
        while (Interlocked.CompareExchange(ref _fanOutRunning, 1, 0) == 0)
        {
            try
            {
                while (Interlocked.Exchange(ref _fanOutWanted, 0) == 1)
                {
                    FanOutOnce();
                }
            }
            finally
            {
                Volatile.Write(ref _fanOutRunning, 0);
            }

            if (Volatile.Read(ref _fanOutWanted) == 0)
            {
                break;
            }
        }
    }

    private void FanOutOnce()
    {
        var target = _current();
        foreach (var session in Sessions.Values)
        {
            if (target.Find(session.NodeId) is null)
            {
                session.Close();
                continue;
            }

            lock (session.Gate)
            {
                if (session.Busy || session.Closed || session.Baseline is not { } baseline || baseline.Version >= target.Version)
                {
                    continue;
                }

                if (CatchUpLocked(session, target) is { } message)
                {
                    session.Next = message;
                    session.Wake();
                    Interlocked.Increment(ref _sentAtOnce);
                }
                else if (session.ResyncDue && !session.Busy)
                {
                    session.Wake();
                }
            }
        }
    }

    /// <summary>
    /// Queues a keep-alive on every stream that has sent nothing for <paramref name="interval"/>: at once when it is
    /// idle, after its current send when it is busy.
    /// </summary>
    internal void QueueKeepAlives(TimeSpan interval)
    {
        Debug.Assert(!_onWriter(), "keep-alives take stream gates, which the writer must never wait for");
        var now = _time.GetTimestamp();
        foreach (var session in Sessions.Values)
        {
            lock (session.Gate)
            {
                if (session.Closed || session.Baseline is null || _time.GetElapsedTime(session.LastSentTimestamp, now) < interval)
                {
                    continue;
                }

                if (session.Busy)
                {
                    // Its writer has not come back for a while: the keep-alive goes out when it does, unless a change does.
                    session.KeepAliveDue = true;
                    continue;
                }

                session.Next = OutgoingMessage.KeepAlive;
                session.Touch(now);
                session.Wake();
            }
        }
    }

    /// <summary>The stream's first message: a full map from the current snapshot, which becomes its baseline.</summary>
    internal PooledFrame? FirstMessage(MapSession session)
    {
        lock (session.Gate)
        {
            if (session.Closed)
            {
                return null;
            }

            session.Busy = true;
            return FullMapLocked(session);
        }
    }

    /// <summary>
    /// Called by the stream's reader when its previous message has been written: the next thing to send (a message
    /// handed over while it was idle, a catch-up delta, a resync full map), the end, or idle.
    /// </summary>
    internal SendStep AfterSend(MapSession session)
    {
        lock (session.Gate)
        {
            if (session.Next is { } handed)
            {
                session.Next = null;
                session.Touch(_time.GetTimestamp());
                return new SendStep(handed.Framed(session.Zstd), handed.ChangedAt, false);
            }

            if (session.Closed)
            {
                return SendStep.Ended;
            }

            if (!session.ResyncDue && session.Baseline is { } baseline && baseline.Version < _log.Latest)
            {
                if (CatchUpLocked(session, _current()) is { } message)
                {
                    session.KeepAliveDue = false;
                    Interlocked.Increment(ref _caughtUp);
                    session.Touch(_time.GetTimestamp());
                    return new SendStep(message.Framed(session.Zstd), message.ChangedAt, false);
                }

                if (session.Closed)
                {
                    return SendStep.Ended;
                }
            }

            if (session.ResyncDue)
            {
                session.ResyncDue = false;
                session.KeepAliveDue = false;
                session.Resyncs++;
                return FullMapLocked(session) is { } full ? new SendStep(full.Memory, 0, false) { Owner = full } : SendStep.Ended;
            }

            if (session.KeepAliveDue)
            {
                session.KeepAliveDue = false;
                session.Touch(_time.GetTimestamp());
                return new SendStep(OutgoingMessage.KeepAlive.Framed(session.Zstd), 0, false);
            }

            session.Busy = false;
            return SendStep.Idle;
        }
    }

    /// <summary>
    /// The delta that takes the stream from its baseline to <paramref name="target"/> (which becomes its baseline);
    /// null when there is nothing to send, when the stream must be resynced (<see cref="MapSession.ResyncDue"/>) or
    /// when its node was removed (the stream is closed). Call under the stream's gate.
    /// </summary>
    private OutgoingMessage? CatchUpLocked(MapSession session, TailnetSnapshot target)
    {
        Debug.Assert(session.Gate.IsHeldByCurrentThread, "a stream's baseline changes only under its gate");
        var baseline = session.Baseline!;
        if (baseline.Version >= target.Version)
        {
            return null;
        }

        if (_log.Range(baseline.Version, target.Version) is not { } range)
        {
            session.ResyncDue = true;
            return null;
        }

        var changes = range.Changes;
        if (changes.Removed.Contains(session.NodeId) || target.Find(session.NodeId) is null)
        {
            session.Close();
            return null;
        }

        OutgoingMessage? message;
        if (baseline.Policy.IsActive || target.Policy.IsActive)
        {
            // Each node's view is its own: its delta is checked against what it could see before and sees now.
            // Receivers of one policy class that the range does not name get the same delta: encoded once.
            OutgoingMessage? Build() => Personal(_maps.PolicyDelta(baseline, target, changes, session.NodeId), changes);
            message = MapBuilder.PolicyShareKey(baseline, target, changes, session.NodeId) is { } key ? range.SharedBy(key, Build) : Build();
        }
        else if (changes.Involves(session.NodeId))
        {
            message = Personal(_maps.Delta(target, changes, session.NodeId), changes);
        }
        else
        {
            message = range.Shared(() => Personal(_maps.Delta(target, changes, receiver: 0), changes));
        }

        session.Baseline = target;
        return message;
    }

    /// <summary>A full map in a rented buffer (<see cref="PooledFrame"/>): the stream's reader returns it once written.</summary>
    private PooledFrame? FullMapLocked(MapSession session)
    {
        var snapshot = _current();
        session.Touch(_time.GetTimestamp());
        session.Baseline = snapshot;
        return snapshot.Find(session.NodeId) is { } self ? _maps.FullFramed(snapshot, self, session.Zstd) : null;
    }

    private static OutgoingMessage? Personal(MapResponse? response, ChangeSet changes) =>
        response is null ? null : new OutgoingMessage(response) { ChangedAt = changes.Since };

    [Conditional("DEBUG")]
    private void AssertOnWriter() => Debug.Assert(_onWriter(), "the stream set and the change log change only on the coordinator's writer");
}
