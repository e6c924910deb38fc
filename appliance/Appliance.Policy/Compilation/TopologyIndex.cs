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
        NodeIndex = new Dictionary<long, int>(topology.Nodes.Count);
        AddressSets = new IPSet[topology.Nodes.Count];
        SubnetRoutes = new IReadOnlyList<IPPrefix>[topology.Nodes.Count];
        IsExitNode = new bool[topology.Nodes.Count];
        for (var i = 0; i < topology.Nodes.Count; i++)
        {
            var node = topology.Nodes[i];
            NodeIndex[node.Id] = i;
            AddressSets[i] = IPSet.FromPrefixes(node.Addresses.Select(IPPrefix.Host));
            SubnetRoutes[i] = approvedRoutes[i].Where(r => !TailscaleRanges.IsExitRoute(r)).ToList();
            IsExitNode[i] = approvedRoutes[i].Any(TailscaleRanges.IsExitRoute);
            foreach (var tag in node.Tags)
            {
                if (!_byTag.TryGetValue(tag, out var list))
                {
                    _byTag[tag] = list = [];
                }

                list.Add(node);
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
    }

    public IReadOnlyList<PolicyUser> Users { get; }

    public IReadOnlyList<PolicyNode> Nodes { get; }

    public IReadOnlyList<IReadOnlyList<IPPrefix>> Approved { get; }

    public Dictionary<long, int> NodeIndex { get; }

    public IPSet[] AddressSets { get; }

    /// <summary>Approved routes that are not exit routes (0.0.0.0/0, ::/0).</summary>
    public IReadOnlyList<IPPrefix>[] SubnetRoutes { get; }

    public bool[] IsExitNode { get; }

    public IEnumerable<PolicyNode> NodesWithTag(string tag) => _byTag.TryGetValue(tag, out var l) ? l : [];

    public IEnumerable<PolicyNode> NodesOfUser(PolicyUser user) => _byUser.TryGetValue(user.Id, out var l) ? l : [];

    public IReadOnlyList<PolicyNode> NodesOfUserId(long id) => _byUser.TryGetValue(id, out var l) ? l : [];

    /// <summary>Approved non-exit routes of every node, each listed once, in node order.</summary>
    public IReadOnlyList<IPPrefix> AllSubnetRoutes() =>
        SubnetRoutes.SelectMany(r => r).Distinct().ToList();
}
