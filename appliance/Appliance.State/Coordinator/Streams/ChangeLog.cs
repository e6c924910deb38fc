using System.Diagnostics;

namespace Appliance.State.Coordinator;

/// <summary>
/// What each published snapshot version changed, kept for the last <c>capacity</c> versions, so that a stream that
/// was busy sending can catch up from the version its client has to the current one with one merged delta. A
/// stream further behind than the log reaches is resynced with a full map instead (no stuck streams).
/// <para>
/// Versions are appended in order on the coordinator's writer; the log's own lock is a leaf (nothing else is taken
/// while it is held), so it may be used under a stream's gate or under the writer.
/// </para>
/// </summary>
internal sealed class ChangeLog(int capacity)
{
    private readonly Lock _lock = new();
    private readonly List<ChangeSet> _steps = [];
    private readonly Dictionary<(long From, long To), CatchUp> _ranges = [];
    private long _first = 1;
    private long _latest;

    /// <summary>The newest version appended (or the version the log was reset to).</summary>
    public long Latest => Volatile.Read(ref _latest);

    /// <summary>Forgets everything: the tailnet was (re)loaded at <paramref name="version"/>.</summary>
    public void Reset(long version)
    {
        lock (_lock)
        {
            _steps.Clear();
            _ranges.Clear();
            _first = version + 1;
            Volatile.Write(ref _latest, version);
        }
    }

    /// <summary>Records what <paramref name="version"/> changed (an empty set for a policy recompile).</summary>
    public void Append(long version, ChangeSet step)
    {
        lock (_lock)
        {
            Debug.Assert(version == _latest + 1, "snapshot versions are published one at a time, in order");
            _steps.Add(step);
            Volatile.Write(ref _latest, version);

            // Ranges end at a target a stream was sent to; a new version makes new targets, so the cache starts over.
            _ranges.Clear();
            if (_steps.Count >= 2 * Math.Max(capacity, 1))
            {
                var drop = _steps.Count - Math.Max(capacity, 1);
                _steps.RemoveRange(0, drop);
                _first += drop;
            }
        }
    }

    /// <summary>
    /// The changes after <paramref name="from"/> up to and including <paramref name="to"/>, merged in order; the
    /// same object (and so the same shared encoding) for every stream asking for the same range. Null when the log
    /// no longer reaches back to <paramref name="from"/> or the stream is more than <c>capacity</c> versions behind.
    /// </summary>
    public CatchUp? Range(long from, long to)
    {
        lock (_lock)
        {
            if (from < _first - 1 || to > _latest || to - from > capacity)
            {
                return null;
            }

            if (_ranges.TryGetValue((from, to), out var cached))
            {
                return cached;
            }

            ChangeSet changes;
            if (to == from + 1)
            {
                changes = _steps[(int)(to - _first)];
            }
            else
            {
                changes = new ChangeSet();
                for (var v = from + 1; v <= to; v++)
                {
                    changes.Merge(_steps[(int)(v - _first)]);
                }
            }

            var range = new CatchUp(changes);
            if (to == _latest)
            {
                _ranges[(from, to)] = range;
            }

            return range;
        }
    }
}

/// <summary>
/// One merged range of changes and the delta every receiver it does not name shares (built and encoded once, on
/// first use).
/// </summary>
internal sealed class CatchUp(ChangeSet changes)
{
    private Lazy<OutgoingMessage?>? _shared;

    public ChangeSet Changes { get; } = changes;

    public OutgoingMessage? Shared(Func<OutgoingMessage?> build) =>
        LazyInitializer.EnsureInitialized(ref _shared, () => new Lazy<OutgoingMessage?>(build)).Value;
}
