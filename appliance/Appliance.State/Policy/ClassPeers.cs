using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Appliance.State.Policy;

/// <summary>
/// One node's peers when it shares them with its policy class (Appliance.Policy <c>PeerClass</c>): the class's
/// dictionary, shared by every member and by reference across compiles while it is unchanged, minus the node itself,
/// plus the node's own entries for routers and exit nodes (keys never in the shared part). O(1) to make per node,
/// which is what keeps a join from costing every node a copy of every peer.
/// </summary>
internal sealed class ClassPeers : IReadOnlyDictionary<long, PeerRoutes>
{
    /// <summary>Peers whose entries differ between two shared dictionaries, kept for the last pair asked per old one.</summary>
    private static readonly ConditionalWeakTable<IReadOnlyDictionary<long, PeerRoutes>, SharedDiff> Diffs = [];

    public ClassPeers(long self, IReadOnlyDictionary<long, PeerRoutes> shared, IReadOnlyDictionary<long, PeerRoutes> personal)
    {
        Self = self;
        Shared = shared;
        Personal = personal;
        Count = shared.Count - (shared.ContainsKey(self) ? 1 : 0) + personal.Count;
    }

    public long Self { get; }

    /// <summary>The class's plain peers (possibly including <see cref="Self"/>, which is hidden).</summary>
    public IReadOnlyDictionary<long, PeerRoutes> Shared { get; }

    /// <summary>This node's own entries: peers that carry routes, as this node sees them.</summary>
    public IReadOnlyDictionary<long, PeerRoutes> Personal { get; }

    public int Count { get; }

    public IEnumerable<long> Keys => this.Select(kv => kv.Key);

    public IEnumerable<PeerRoutes> Values => this.Select(kv => kv.Value);

    public PeerRoutes this[long key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"peer {key} is not visible");

    public bool ContainsKey(long key) => key != Self && (Personal.ContainsKey(key) || Shared.ContainsKey(key));

    public bool TryGetValue(long key, [MaybeNullWhen(false)] out PeerRoutes value)
    {
        if (key == Self)
        {
            value = null;
            return false;
        }

        return Personal.TryGetValue(key, out value) || Shared.TryGetValue(key, out value);
    }

    public IEnumerator<KeyValuePair<long, PeerRoutes>> GetEnumerator()
    {
        foreach (var kv in Shared)
        {
            if (kv.Key != Self)
            {
                yield return kv;
            }
        }

        foreach (var kv in Personal)
        {
            yield return kv;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Peer ids whose shared entries differ between <paramref name="old"/> and <paramref name="now"/>: computed
    /// once per pair of class dictionaries, not once per member, so a join costs each member O(changes).
    /// </summary>
    public static IReadOnlyCollection<long> SharedChanges(IReadOnlyDictionary<long, PeerRoutes> old, IReadOnlyDictionary<long, PeerRoutes> now)
    {
        if (ReferenceEquals(old, now))
        {
            return [];
        }

        if (Diffs.TryGetValue(old, out var known) && ReferenceEquals(known.Now, now))
        {
            return known.Changed;
        }

        var changed = new List<long>();
        foreach (var (id, routes) in old)
        {
            if (!now.TryGetValue(id, out var theirs) || !routes.SameAs(theirs))
            {
                changed.Add(id);
            }
        }

        foreach (var id in now.Keys)
        {
            if (!old.ContainsKey(id))
            {
                changed.Add(id);
            }
        }

        Diffs.AddOrUpdate(old, new SharedDiff(now, changed));
        return changed;
    }

    private sealed record SharedDiff(IReadOnlyDictionary<long, PeerRoutes> Now, IReadOnlyList<long> Changed);
}
