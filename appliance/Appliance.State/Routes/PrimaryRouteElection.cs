using System.Collections.Immutable;
using Appliance.Policy.Net;

namespace Appliance.State.Routes;

/// <summary>A node that may serve subnet routes, as the election sees it: its id, whether it is healthy, and the prefixes it serves.</summary>
public sealed record RouteCandidate(long NodeId, bool Healthy, IReadOnlyList<IPPrefix> Routes);

/// <summary>
/// Chooses the one primary router of every subnet prefix that several nodes serve (reference behaviour: headscale
/// hscontrol/routes/primary.go updatePrimaryLocked). Per prefix:
/// <list type="number">
/// <item>the current primary stays while it still serves the prefix and is healthy (no flapping back when an
/// earlier router returns);</item>
/// <item>otherwise the healthy router with the lowest node id takes over (deterministic);</item>
/// <item>when no router is healthy, the current primary stays if it still serves the prefix, else the lowest id
/// serves it: unlike headscale, which drops the route, so a restart (every node offline until it reconnects) or a
/// total outage never strips the route from peers' netmaps and then adds it back.</item>
/// </list>
/// Exit routes (0.0.0.0/0, ::/0) are never elected: Tailscale clients pick their exit node themselves, and headscale's
/// SetRoutes leaves them out too (tsaddr.IsExitRoute). Pure: the coordinator calls it on its writer.
/// </summary>
public static class PrimaryRouteElection
{
    public static ImmutableDictionary<IPPrefix, long> Elect(IReadOnlyDictionary<IPPrefix, long> current, IEnumerable<RouteCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(candidates);
        var servers = new Dictionary<IPPrefix, List<RouteCandidate>>();
        foreach (var candidate in candidates.OrderBy(c => c.NodeId))
        {
            foreach (var route in candidate.Routes)
            {
                if (IsExitRoute(route))
                {
                    continue;
                }

                var prefix = route.Masked;
                if (!servers.TryGetValue(prefix, out var list))
                {
                    servers[prefix] = list = [];
                }

                if (list.Count == 0 || list[^1].NodeId != candidate.NodeId)
                {
                    list.Add(candidate);
                }
            }
        }

        var result = ImmutableDictionary.CreateBuilder<IPPrefix, long>();
        foreach (var (prefix, list) in servers)
        {
            var incumbent = current.TryGetValue(prefix, out var id) ? list.Find(c => c.NodeId == id) : null;
            result[prefix] = incumbent is { Healthy: true } ? incumbent.NodeId
                : list.Find(c => c.Healthy) is { } healthy ? healthy.NodeId
                : incumbent?.NodeId ?? list[0].NodeId;
        }

        return result.ToImmutable();
    }

    /// <summary>True for 0.0.0.0/0 and ::/0, the exit-node routes.</summary>
    public static bool IsExitRoute(IPPrefix prefix) => prefix.Bits == 0;

    /// <summary>True when the two elections name the same primary for every prefix.</summary>
    public static bool Same(IReadOnlyDictionary<IPPrefix, long> a, IReadOnlyDictionary<IPPrefix, long> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var other) && other == kv.Value);
    }
}
