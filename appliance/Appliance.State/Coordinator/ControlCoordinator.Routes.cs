using System.Collections.Immutable;
using Appliance.Policy.Net;
using Appliance.State.Policy;
using Appliance.State.Routes;

namespace Appliance.State.Coordinator;

/// <summary>
/// Subnet-route failover (docs/routes.md). Every published change that touches a router (a node advertising a subnet
/// route) re-runs <see cref="PrimaryRouteElection"/> inside the same writer step, so a router whose stream ends, whose
/// key expires or that is deleted hands its prefixes to another healthy router in the very version that records the
/// loss, and every peer gets the two routers' new AllowedIPs/PrimaryRoutes in that delta. Healthy means
/// <see cref="IsHealthyRouter"/>: the single place that decides "is this node online" for routing.
/// </summary>
public sealed partial class ControlCoordinator
{
    /// <summary>
    /// Whether a router may be primary: it holds a map stream (<see cref="NodeEntry.Online"/>, which the snapshot
    /// keeps; once instances share presence, this is where cross-instance online-ness enters) and its key has not
    /// expired.
    /// </summary>
    private bool IsHealthyRouter(NodeEntry entry) => entry.Online && !entry.Record.IsKeyExpired(_time.GetUtcNow());

    /// <summary>
    /// Re-elects primaries when <paramref name="step"/> involves a router (or <paramref name="all"/>), fixes the routers'
    /// shared tailcfg.Node to carry only the prefixes they are primary for, and adds every router whose prefixes moved
    /// to the step as a full change. Call on the writer, before the snapshot is committed.
    /// </summary>
    private TailnetSnapshot ElectPrimaryRoutes(TailnetSnapshot previous, TailnetSnapshot next, ChangeSet step, bool all = false)
    {
        // Usually only the nodes the step names; a load or a policy recompile looks at every node once (O(N), as they are).
        var touched = all
            ? next.Nodes.Values.Where(IsRouter).Select(e => e.Id).Union(previous.Routers).Union(next.Routers).ToList()
            : Involved(step).Where(id => previous.Routers.Contains(id) || IsRouter(next.Find(id))).ToList();
        if (touched.Count == 0 && ReferenceEquals(previous.Policy, next.Policy))
        {
            return next;
        }

        var routers = next.Routers;
        foreach (var id in touched)
        {
            routers = IsRouter(next.Find(id)) ? routers.Add(id) : routers.Remove(id);
        }

        var candidates = routers.Select(id => next.Nodes[id]).Select(e => new RouteCandidate(e.Id, IsHealthyRouter(e), ServedSubnetRoutes(e, next.Policy))).ToList();
        var primaries = PrimaryRouteElection.Elect(next.PrimaryRoutes, candidates);
        var moved = new HashSet<long>();
        if (!PrimaryRouteElection.Same(primaries, next.PrimaryRoutes))
        {
            foreach (var (prefix, id) in next.PrimaryRoutes)
            {
                if (!primaries.TryGetValue(prefix, out var now) || now != id)
                {
                    moved.Add(id);
                    if (primaries.TryGetValue(prefix, out var successor))
                    {
                        moved.Add(successor);
                        StateEvents.PrimaryRouteMoved(_log, prefix.ToString(), id, successor);
                    }
                }
            }

            foreach (var (prefix, id) in primaries)
            {
                if (!next.PrimaryRoutes.ContainsKey(prefix))
                {
                    moved.Add(id);
                }
            }
        }

        var result = next with { PrimaryRoutes = primaries, Routers = routers };
        foreach (var id in touched.Concat(moved).Distinct())
        {
            if (result.Find(id) is not { } entry)
            {
                continue;
            }

            var wired = WithPrimaryRoutes(entry, primaries);
            if (!ReferenceEquals(wired, entry))
            {
                result = result.With(wired);
            }

            if (moved.Contains(id))
            {
                step.AddFull(id);
            }
        }

        // The policy decides each viewer's routes from the same election (PolicyTopology.PrimaryRouters).
        if (moved.Count > 0 && result.Policy.IsActive)
        {
            result = result with { PolicyStale = true };
        }

        return result;
    }

    private static IEnumerable<long> Involved(ChangeSet step) =>
        step.Full.Concat(step.Removed).Concat(step.Online.Keys).Concat(step.Patches.Keys).Distinct();

    /// <summary>A node that advertises at least one subnet route (approved or not: approval can come from autoApprovers).</summary>
    private static bool IsRouter(NodeEntry? entry) =>
        entry is not null && PolicyTopologyBuilder.Advertised(entry.Hostinfo).Any(r => !PrimaryRouteElection.IsExitRoute(r));

    /// <summary>
    /// The subnet prefixes a node serves: advertised and approved, by an operator or, under a policy, by its
    /// autoApprovers (as the compiled policy counts them).
    /// </summary>
    private static List<IPPrefix> ServedSubnetRoutes(NodeEntry entry, TailnetPolicy policy)
    {
        var advertised = PolicyTopologyBuilder.Advertised(entry.Hostinfo).Where(r => !PrimaryRouteElection.IsExitRoute(r)).ToList();
        var approved = PolicyTopologyBuilder.Node(entry.Record, entry.Hostinfo).ApprovedRoutes.ToHashSet();
        if (policy.Compiled is { } compiled)
        {
            approved.UnionWith(compiled.ApprovedRoutes(entry.Id).Select(r => r.Masked));
        }

        return advertised.Where(approved.Contains).ToList();
    }

    /// <summary>
    /// The node's shared tailcfg.Node with AllowedIPs = its addresses, the subnet routes it is primary for and its
    /// exit routes; PrimaryRoutes = those subnet routes (tailscale tailcfg.Node.PrimaryRoutes; headscale
    /// mapper/tail.go). Returns the same entry when nothing differs.
    /// </summary>
    private static NodeEntry WithPrimaryRoutes(NodeEntry entry, ImmutableDictionary<IPPrefix, long> primaries)
    {
        var wire = entry.Wire;
        var served = NodeProjection.ServedRoutes(entry.Record, entry.Hostinfo).Select(r => r.ToString()).ToList();
        var primary = served.Where(r => IPPrefix.TryParse(r, out var p) && !PrimaryRouteElection.IsExitRoute(p)
            && primaries.TryGetValue(p.Masked, out var id) && id == entry.Id).ToList();
        var exits = served.Where(r => IPPrefix.TryParse(r, out var p) && PrimaryRouteElection.IsExitRoute(p));
        List<string> allowed = [.. wire.Addresses ?? [], .. primary, .. exits];
        var primaryOrNull = primary.Count > 0 ? primary : null;
        if ((wire.AllowedIPs ?? []).SequenceEqual(allowed) && (wire.PrimaryRoutes ?? []).SequenceEqual(primaryOrNull ?? []))
        {
            return entry;
        }

        return entry with { Wire = wire with { AllowedIPs = allowed, PrimaryRoutes = primaryOrNull } };
    }
}
