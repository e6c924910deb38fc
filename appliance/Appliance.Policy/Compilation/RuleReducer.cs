using Appliance.Policy.Net;

namespace Appliance.Policy.Compilation;

/// <summary>
/// Cuts a global rule down to what one node enforces (the filter runs on the receiving node): destinations that
/// are its addresses, overlap its approved subnet routes, or, for an exit node, lie in the internet.
/// Same idea as headscale hscontrol/policy/policyutil/reduce.go.
/// </summary>
internal static class RuleReducer
{
    public static List<DstEntry>? ReducePorts(CompiledRule rule, int node, TopologyIndex topology)
    {
        var nodeInfo = topology.Nodes[node];
        if (rule.ViaTags is not null && !rule.ViaTags.Any(t => nodeInfo.Tags.Contains(t)))
        {
            return null;
        }

        List<DstEntry>? kept = null;
        var addresses = topology.AddressSets[node];
        var routes = topology.SubnetRoutes[node];
        var exit = topology.IsExitNode[node];
        var direct = rule.ViaTags is null;
        foreach (var entry in rule.Dsts)
        {
            // Runs for every rule a node enforces on every map: plain loops, no per-entry allocations.
            var keep = direct && entry.Set.Overlaps(addresses);
            for (var k = 0; !keep && k < routes.Count; k++)
            {
                keep = entry.Set.OverlapsPrefix(routes[k]);
            }

            if (keep || (exit && entry.Set.IsSubsetOf(TailscaleRanges.Internet)))
            {
                (kept ??= []).Add(entry);
            }
        }

        return kept;
    }

    public static List<(IReadOnlyList<string> Dsts, CapEntry Entry)>? ReduceCaps(CompiledRule rule, int node, TopologyIndex topology)
    {
        List<(IReadOnlyList<string>, CapEntry)>? kept = null;
        var nodeInfo = topology.Nodes[node];
        var routes = topology.SubnetRoutes[node];
        foreach (var cap in rule.Caps ?? [])
        {
            var dsts = new List<string>();
            foreach (var addr in nodeInfo.Addresses)
            {
                if (cap.Set.Contains(addr))
                {
                    dsts.Add(IPPrefix.Host(addr).ToString());
                }
            }

            foreach (var prefix in cap.Set.Prefixes())
            {
                if (routes.Any(prefix.Overlaps))
                {
                    dsts.Add(prefix.ToString());
                }
            }

            if (dsts.Count > 0)
            {
                (kept ??= []).Add((dsts.Distinct().ToList(), cap));
            }
        }

        return kept;
    }

    public static bool Applies(CompiledRule rule, int node, TopologyIndex topology) =>
        rule.Caps is not null ? ReduceCaps(rule, node, topology) is not null : ReducePorts(rule, node, topology) is not null;
}
