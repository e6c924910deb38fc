using Appliance.Policy.Net;

namespace Appliance.Policy.Compilation;

/// <summary>Lookups over one topology, built once per compile: nodes by tag and user, and routing facts.</summary>
internal sealed class TopologyIndex
{
    private readonly Dictionary<string, List<PolicyNode>> _byTag = new(StringComparer.Ordinal);
    private readonly Dictionary<long, List<PolicyNode>> _byUser = [];

    public TopologyIndex(PolicyTopology topology, IReadOnlyList<IReadOnlyList<IPPrefix>> approvedRoutes)
    {
        Users = topology.Users;
        Nodes = topology.Nodes;
        Approved = approvedRoutes;
        PrimaryRouters = topology.PrimaryRouters;
        NodeIndex = new Dictionary<long, int>(topology.Nodes.Count);
        AddressSets = new IPSet[topology.Nodes.Count];
        SubnetRoutes = new IReadOnlyList<IPPrefix>[topology.Nodes.Count];
        IsExitNode = new bool[topology.Nodes.Count];
        for (var i = 0; i < topology.Nodes.Count; i++)
        {
            var node = topology.Nodes[i];
            NodeIndex[node.Id] = i;
            AddressSets[i] = IPSet.FromAddresses(node.Addresses);
            var approved = approvedRoutes[i];
            SubnetRoutes[i] = approved.Count == 0 ? [] : approved.Where(r => !TailscaleRanges.IsExitRoute(r)).ToList();
            IsExitNode[i] = approved.Count > 0 && approved.Any(TailscaleRanges.IsExitRoute);
            foreach (var tag in node.Tags)
            {
                if (!_byTag.TryGetValue(tag, out var list))
                {
                    _byTag[tag] = list = [];
                }

                list.Add(node);
            }

            if (SubnetRoutes[i].Count > 0)
            {
                Routers.Add(i);
            }

            if (IsExitNode[i])
            {
                ExitNodes.Add(i);
            }

            if (!node.IsTagged && node.UserId is { } uid)
            {
                if (!_byUser.TryGetValue(uid, out var list))
                {
                    _byUser[uid] = list = [];
                }

                list.Add(node);
            }
        }

        BuildAddressIndex();
    }

    public IReadOnlyList<PolicyUser> Users { get; }

    private void BuildAddressIndex()
    {
        var list = new List<(bool, UInt128, int)>();
        for (var i = 0; i < Nodes.Count; i++)
        {
            foreach (var a in Nodes[i].Addresses)
            {
                list.Add((a.IsV6, a.Value, i));
            }
        }

        list.Sort((x, y) => x.Item1 != y.Item1 ? (x.Item1 ? 1 : -1) : x.Item2.CompareTo(y.Item2));
        _byAddress = list.ToArray();
    }

    public IReadOnlyList<PolicyNode> Nodes { get; }

    public IReadOnlyList<IReadOnlyList<IPPrefix>> Approved { get; }

    public Dictionary<long, int> NodeIndex { get; }

    /// <summary>The elected primary router per prefix (<see cref="PolicyTopology.PrimaryRouters"/>).</summary>
    public IReadOnlyDictionary<IPPrefix, long> PrimaryRouters { get; }

    public IPSet[] AddressSets { get; }

    /// <summary>Approved routes that are not exit routes (0.0.0.0/0, ::/0).</summary>
    public IReadOnlyList<IPPrefix>[] SubnetRoutes { get; }

    public bool[] IsExitNode { get; }

    /// <summary>Nodes with approved non-exit routes (subnet routers).</summary>
    public List<int> Routers { get; } = [];

    /// <summary>Nodes with an approved exit route.</summary>
    public List<int> ExitNodes { get; } = [];

    private (bool V6, UInt128 Value, int Node)[] _byAddress = [];

    /// <summary>Indexes of nodes owning an address in <paramref name="set"/> (range lookups, no full scan).</summary>
    public IEnumerable<int> NodesIn(IPSet set)
    {
        foreach (var range in set.Ranges)
        {
            var lo = LowerBound(range.IsV6, range.First);
            for (var k = lo; k < _byAddress.Length && _byAddress[k].V6 == range.IsV6 && _byAddress[k].Value <= range.Last; k++)
            {
                yield return _byAddress[k].Node;
            }
        }
    }

    private int LowerBound(bool v6, UInt128 value)
    {
        int lo = 0, hi = _byAddress.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            var e = _byAddress[mid];
            var less = e.V6 != v6 ? !e.V6 : e.Value < value;
            if (less)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    public IEnumerable<PolicyNode> NodesWithTag(string tag) => _byTag.TryGetValue(tag, out var l) ? l : [];

    public IEnumerable<PolicyNode> NodesOfUser(PolicyUser user) => _byUser.TryGetValue(user.Id, out var l) ? l : [];

    public IReadOnlyList<PolicyNode> NodesOfUserId(long id) => _byUser.TryGetValue(id, out var l) ? l : [];

    /// <summary>Approved non-exit routes of every node, each listed once, in node order.</summary>
    public IReadOnlyList<IPPrefix> AllSubnetRoutes() =>
        SubnetRoutes.SelectMany(r => r).Distinct().ToList();
}
