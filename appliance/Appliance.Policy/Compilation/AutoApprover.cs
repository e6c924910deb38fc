using Appliance.Policy.Model;
using Appliance.Policy.Net;

namespace Appliance.Policy.Compilation;

/// <summary>
/// <c>autoApprovers</c>: an advertised route is approved without an admin when the policy names the node (by tag,
/// user or group) as an approver for a prefix covering it; only <c>exitNode</c> approvers get 0.0.0.0/0 and ::/0.
/// </summary>
internal static class AutoApprover
{
    public static List<IReadOnlyList<IPPrefix>> EffectiveApproved(PolicyDocument policy, PolicyTopology topology, Func<PolicyAlias, IPSet> resolve)
    {
        var routeApprovers = policy.AutoApprovers.Routes
            .Select(kv => (Prefix: kv.Key, Set: IPSet.UnionAll(kv.Value.Select(resolve))))
            .ToList();
        var exitApprovers = IPSet.UnionAll(policy.AutoApprovers.ExitNode.Select(resolve));
        var result = new List<IReadOnlyList<IPPrefix>>(topology.Nodes.Count);
        foreach (var node in topology.Nodes)
        {
            var approved = node.ApprovedRoutes.Select(r => r.Masked).ToList();
            foreach (var advertised in node.AdvertisedRoutes.Select(r => r.Masked))
            {
                if (approved.Contains(advertised))
                {
                    continue;
                }

                // Exit routes are approved only through exitNode; a 0.0.0.0/0 entry under routes does not do it
                // (observed in the captures of Tailscale's control plane).
                var auto = TailscaleRanges.IsExitRoute(advertised)
                    ? node.Addresses.Any(exitApprovers.Contains)
                    : routeApprovers.Any(a => a.Prefix.IsV6 == advertised.IsV6 && a.Prefix.Bits <= advertised.Bits
                        && a.Prefix.Contains(advertised.Addr) && node.Addresses.Any(a.Set.Contains));
                if (auto)
                {
                    approved.Add(advertised);
                }
            }

            result.Add(approved.Distinct().ToList());
        }

        return result;
    }
}
