using System.Collections.Concurrent;
using System.Diagnostics;

namespace Appliance.State.Coordinator;

/// <summary>
/// What each published snapshot version changed, so that a stream that was busy sending can catch up from the
/// version its client has to the current one with one merged delta. The last <c>capacity</c> versions are kept one
/// by one; older ones are folded into one merged set, which names each node at most once, with the last version
/// that named it, so the log's size is bounded by the tailnet's, not by how many versions were published. A stream
/// whose baseline lies in the folded part gets the folded changes of every node named after its baseline (for such a
/// node the merge may restate older fields too; they are current values, which a client applies idempotently). Only a
/// stream older than the last <see cref="Reset"/> (or a fold dropped for its size) gets a full map.
/// <para>
/// Why not resync every stream that falls behind with a full map, as before: a burst of changes (10,000 clients
/// dropping at once when a site's network blips) put every stream behind at the same moment and every one of
/// them built a full map, O(N) bytes each, O(N²) in all: at 10,000 nodes the server grew to 21 GB and was killed
/// (docs/benchmarks.md, "Mass disconnect"). A merged delta is never larger than a full map and usually much smaller.
/// </para>
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

    // Everything after _reset up to _first - 1, merged; never mutated once published (ranges may hold it), a fold
    // makes a new one. Null while nothing was folded.
    private Fold? _fold;
    private long _reset;
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
            _fold = null;
            _reset = version;
            _first = version + 1;
            Volatile.Write(ref _latest, version);
        }
    }

    /// <summary>
    /// Records what <paramref name="version"/> changed (an empty set for a policy recompile). The folded part is
    /// kept while it names no more than four times <paramref name="tailnetSize"/> entries plus the capacity (a live
    /// node can be named by a patch and an online flip at once; deleted nodes make it grow past the tailnet, and
    /// ephemeral nodes come and go for years); past that it is dropped and streams older than it get a full map.
    /// </summary>
    public void Append(long version, ChangeSet step, int tailnetSize = 0)
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
                var folded = new ChangeSet();
                var foldedAt = _fold is null ? [] : new Dictionary<long, long>(_fold.NamedAt);
                if (_fold is not null)
                {
                    folded.Merge(_fold.Changes);
                }

                for (var i = 0; i < drop; i++)
                {
                    folded.Merge(_steps[i]);
                    foreach (var id in _steps[i].Ids)
                    {
                        foldedAt[id] = _first + i;
                    }
                }

                // A folded range's start is unknown per stream, so it carries no propagation timestamp.
                folded.Since = 0;
                _steps.RemoveRange(0, drop);
                _first += drop;
                if (folded.Count > (4 * Math.Max(tailnetSize, 0)) + capacity)
                {
                    _fold = null;
                    _reset = _first - 1;
                }
                else
                {
                    _fold = new Fold(folded, foldedAt);
                }
            }
        }
    }

    /// <summary>
    /// The changes after <paramref name="from"/> up to and including <paramref name="to"/>, merged in order (per
    /// node, from the folded part when <paramref name="from"/> lies in it); the same object (and so the same shared
    /// encoding) for every stream asking for the same range. Null when <paramref name="from"/> is older than the
    /// last <see cref="Reset"/> or <paramref name="to"/> was not published.
    /// </summary>
    public CatchUp? Range(long from, long to)
    {
        lock (_lock)
        {
            if (from < _reset || to > _latest || to <= from)
            {
                return null;
            }

            if (_ranges.TryGetValue((from, to), out var cached))
            {
                return cached;
            }

            ChangeSet changes;
            var exactFrom = Math.Max(from, _first - 1);
            if (exactFrom == from && to == from + 1)
            {
                changes = _steps[(int)(to - _first)];
            }
            else
            {
                changes = new ChangeSet();
                if (from < _first - 1 && _fold is { } fold)
                {
                    changes.Merge(fold.Changes, id => fold.NamedAt[id] > from);
                }

                for (var v = exactFrom + 1; v <= to; v++)
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

    /// <summary>
    /// Everything folded, and the last version that named each node in it (a range from a baseline inside the fold
    /// takes only the nodes named after that baseline).
    /// </summary>
    private sealed record Fold(ChangeSet Changes, Dictionary<long, long> NamedAt);
}

/// <summary>
/// One merged range of changes and the delta every receiver it does not name shares (built and encoded once, on
/// first use).
/// </summary>
internal sealed class CatchUp(ChangeSet changes)
{
    private Lazy<OutgoingMessage?>? _shared;
    private ConcurrentDictionary<object, Lazy<OutgoingMessage?>>? _byKey;

    public ChangeSet Changes { get; } = changes;

    public OutgoingMessage? Shared(Func<OutgoingMessage?> build) =>
        LazyInitializer.EnsureInitialized(ref _shared, () => new Lazy<OutgoingMessage?>(build)).Value;

    /// <summary>The delta shared by the receivers with the same <paramref name="key"/> (a policy class pair: MapBuilder.PolicyShareKey).</summary>
    public OutgoingMessage? SharedBy(object key, Func<OutgoingMessage?> build) =>
        LazyInitializer.EnsureInitialized(ref _byKey, () => new ConcurrentDictionary<object, Lazy<OutgoingMessage?>>())
            .GetOrAdd(key, _ => new Lazy<OutgoingMessage?>(build)).Value;
}
