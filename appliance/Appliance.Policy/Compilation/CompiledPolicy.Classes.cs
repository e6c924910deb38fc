namespace Appliance.Policy.Compilation;

/// <summary>
/// Peers per equivalence class: nodes that belong to exactly the same peer arrays (the same rules' sources and
/// destinations) see the same peers, minus themselves. A class's peers are derived once and shared by its members,
/// so deriving every node's view costs O(classes × N + N), not O(N²) (the allow-all tailnet is one class). Only the
/// peers that carry routes (routers, exit nodes) and the views of nodes without IPv4 are derived per viewer.
/// </summary>
public sealed partial class CompiledPolicy
{
    private readonly Lock _classGate = new();
    private int[] _classOf = null!;
    private PeerClass?[] _classes = null!;

    /// <summary>The node's policy view with its peers given per class (<see cref="NodePeers"/>) rather than listed.</summary>
    /// <remarks>The returned view's <see cref="NodePolicyView.Peers"/> is empty: its peers are the second value.</remarks>
    public (NodePolicyView Self, NodePeers Peers) ForNodeByClass(long nodeId)
    {
        var i = IndexOf(nodeId);
        return (View(i, []), PeersByClass(i));
    }

    /// <summary>Numbers each node's class: equal membership lists (ascending array ids) are one class.</summary>
    private void AssignClasses()
    {
        var n = _topology.Nodes.Count;
        var ids = new Dictionary<int[], int>(MembershipComparer.Instance);
        _classOf = new int[n];
        for (var i = 0; i < n; i++)
        {
            var key = _peers.Memberships[i];
            if (!ids.TryGetValue(key, out var id))
            {
                ids[key] = id = ids.Count;
            }

            _classOf[i] = id;
        }

        _classes = new PeerClass?[ids.Count];
    }

    private NodePeers PeersByClass(int viewer)
    {
        var shared = ClassOf(viewer);
        var v4Off = _ipv4Disabled[viewer];
        var via = _routes.ViaPrimaries(viewer);
        var personal = new List<PeerView>();
        if (v4Off)
        {
            // Every peer differs for a node without IPv4 (no IPv4 AllowedIPs or Addresses): all of them are its own.
            foreach (var p in shared.Members)
            {
                if (p != viewer)
                {
                    personal.Add(PeerWithRoutes(viewer, p, via, v4Off: true));
                }
            }

            return new NodePeers(null, personal);
        }

        foreach (var p in shared.Routed)
        {
            if (p != viewer)
            {
                personal.Add(PeerWithRoutes(viewer, p, via, v4Off: false));
            }
        }

        return new NodePeers(shared, personal);
    }

    private PeerClass ClassOf(int node)
    {
        var id = _classOf[node];
        lock (_classGate)
        {
            if (_classes[id] is { } known)
            {
                return known;
            }

            var members = PeerBits(node).ToArray();
            var plain = new List<PeerView>(members.Length);
            var routed = new List<int>();
            foreach (var p in members)
            {
                if (_routes.CarriesRoutes(p))
                {
                    routed.Add(p);
                }
                else
                {
                    plain.Add(_plainPeer[p]);
                }
            }

            return _classes[id] = new PeerClass(id, plain, routed.ToArray(), members);
        }
    }

    /// <summary>The union of the arrays paired with the node's own; it may include the node itself.</summary>
    private NodeBits PeerBits(int node)
    {
        var bits = new NodeBits(_topology.Nodes.Count);
        var used = new bool[_peers.Arrays.Length];
        foreach (var own in _peers.Memberships[node])
        {
            foreach (var partner in _peers.Partners[own])
            {
                if (!used[partner])
                {
                    used[partner] = true;
                    bits.AddAll(_peers.Arrays[partner]);
                }
            }
        }

        return bits;
    }

    private sealed class MembershipComparer : IEqualityComparer<int[]>
    {
        public static readonly MembershipComparer Instance = new();

        public bool Equals(int[]? x, int[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

        public int GetHashCode(int[] obj)
        {
            var hash = new HashCode();
            foreach (var v in obj)
            {
                hash.Add(v);
            }

            return hash.ToHashCode();
        }
    }
}

/// <summary>
/// The peers every member of one class sees: <see cref="Plain"/> are shown as they are (the same object for every
/// viewer in this compile); <see cref="Routed"/> carry routes and are derived per viewer. The lists may include
/// a member itself, which never sees itself.
/// </summary>
public sealed class PeerClass
{
    internal PeerClass(int id, IReadOnlyList<PeerView> plain, int[] routed, int[] members)
    {
        Id = id;
        Plain = plain;
        Routed = routed;
        Members = members;
    }

    /// <summary>The class's number in this compile.</summary>
    public int Id { get; }

    public IReadOnlyList<PeerView> Plain { get; }

    internal int[] Routed { get; }

    internal int[] Members { get; }
}

/// <summary>
/// One node's peers: those of its class (<see cref="Class"/>'s plain peers, minus itself) and its own
/// (<see cref="Personal"/>: routers and exit nodes as this node sees them). A node without IPv4 has no class: all
/// of its peers are personal.
/// </summary>
public sealed record NodePeers(PeerClass? Class, IReadOnlyList<PeerView> Personal);
