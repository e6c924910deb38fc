using Appliance.Policy.Net;

namespace Appliance.Policy.Compilation;

/// <summary>
/// Which viewers may use which routes of which routers, precomputed per route from the rules (not per viewer):
/// a viewer sees a router's route when it may send into it through that router, when traffic from the route may
/// reach the viewer, or when it serves the same route itself (a standby router knows who is primary). Via grants
/// pick, per viewer, which router is its primary for a route.
/// </summary>
internal sealed class RouteVisibility
{
    private readonly TopologyIndex _topology;
    private readonly Dictionary<(int Router, IPPrefix Route), NodeBits> _sendersInto = [];
    private readonly Dictionary<IPPrefix, NodeBits> _receiversFrom = [];
    private readonly NodeBits?[] _exitUsers;
    private readonly bool[] _carriesRoutes;
    private readonly List<(IPPrefix Route, int Router)>?[]? _viaBySource;

    public RouteVisibility(List<CompiledRule> rules, RulesByNode rulesByDst, TopologyIndex topology)
    {
        _topology = topology;
        var n = topology.Nodes.Count;
        _carriesRoutes = new bool[n];
        _exitUsers = new NodeBits?[n];
        var routes = topology.AllSubnetRoutes().Select(r => r.Masked).Distinct().ToList();

        // Who may send into each route through each router: sources of the rules the router enforces for it.
        foreach (var p in topology.Routers)
        {
            _carriesRoutes[p] = true;
            foreach (var r in rulesByDst.RulesAt(p))
            {
                var rule = rules[r];
                if (rule.Caps is not null || RuleReducer.ReducePorts(rule, p, topology) is not { } reduced)
                {
                    continue;
                }

                foreach (var route in topology.SubnetRoutes[p])
                {
                    if (reduced.Any(d => d.Set.OverlapsPrefix(route)))
                    {
                        Bits(_sendersInto, (p, route.Masked), n).AddAll(rule.SrcNodes);
                    }
                }
            }
        }

        // Who receives traffic from each route: destinations of rules whose sources overlap it (grouped by
        // source set, which policies share across many rules).
        if (routes.Count > 0)
        {
            foreach (var group in rules.GroupBy(r => r.Src, ReferenceEqualityComparer.Instance))
            {
                var src = (IPSet)group.Key!;
                foreach (var route in routes.Where(src.OverlapsPrefix))
                {
                    var bits = Bits(_receiversFrom, route, n);
                    foreach (var rule in group)
                    {
                        bits.AddAll(rule.DstNodes);
                    }
                }
            }
        }

        // Who may use each exit node: sources of its rules that reach into the internet.
        foreach (var p in topology.ExitNodes)
        {
            _carriesRoutes[p] = true;
            foreach (var r in rulesByDst.RulesAt(p))
            {
                var rule = rules[r];
                if (rule.Caps is null && RuleReducer.ReducePorts(rule, p, topology) is { } reduced
                    && reduced.Any(d => d.Set.Overlaps(TailscaleRanges.Internet)))
                {
                    (_exitUsers[p] ??= new NodeBits(n)).AddAll(rule.SrcNodes);
                }
            }
        }

        _viaBySource = ViaChoices(rules, routes, topology);
    }

    /// <summary>True for routers and exit nodes: their peer entry depends on the viewer.</summary>
    public bool CarriesRoutes(int node) => _carriesRoutes[node];

    /// <summary>A peer's route is usable by the viewer when the viewer may send into it or it may send to the viewer.</summary>
    public bool Visible(int viewer, int router, IPPrefix route) =>
        (_sendersInto.TryGetValue((router, route.Masked), out var senders) && senders.Contains(viewer))
        || (_receiversFrom.TryGetValue(route.Masked, out var receivers) && receivers.Contains(viewer))
        || _topology.SubnetRoutes[viewer].Contains(route);

    public bool MayUseExit(int viewer, int exitNode) => _exitUsers[exitNode]?.Contains(viewer) == true;

    /// <summary>Routes for which a via grant names this viewer's router (route → router), or null.</summary>
    public Dictionary<IPPrefix, int>? ViaPrimaries(int viewer)
    {
        if (_viaBySource?[viewer] is not { } choices)
        {
            return null;
        }

        var result = new Dictionary<IPPrefix, int>();
        foreach (var (route, router) in choices)
        {
            result.TryAdd(route, router);
        }

        return result;
    }

    private static NodeBits Bits<TKey>(Dictionary<TKey, NodeBits> map, TKey key, int n)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var bits))
        {
            map[key] = bits = new NodeBits(n);
        }

        return bits;
    }

    /// <summary>
    /// A via grant sends its sources' traffic for a route through routers carrying one of its via tags; the
    /// first registered such router serves them, whichever router is primary for everyone else (Tailscale shows
    /// a via client that router, with the route, as the route's primary).
    /// </summary>
    private static List<(IPPrefix, int)>?[]? ViaChoices(List<CompiledRule> rules, List<IPPrefix> routes, TopologyIndex topology)
    {
        List<(IPPrefix, int)>?[]? result = null;
        foreach (var rule in rules)
        {
            if (rule.ViaTags is null)
            {
                continue;
            }

            var choices = new List<(IPPrefix, int)>();
            foreach (var route in routes.Where(r => rule.Dsts.Any(d => d.Set.OverlapsPrefix(r))))
            {
                var router = topology.Routers.FirstOrDefault(
                    i => topology.SubnetRoutes[i].Any(r => r.Masked == route) && topology.Nodes[i].Tags.Any(rule.ViaTags.Contains),
                    -1);
                if (router >= 0)
                {
                    choices.Add((route, router));
                }
            }

            if (choices.Count == 0)
            {
                continue;
            }

            result ??= new List<(IPPrefix, int)>?[topology.Nodes.Count];
            foreach (var v in rule.SrcNodes)
            {
                (result[v] ??= []).AddRange(choices);
            }
        }

        return result;
    }
}
