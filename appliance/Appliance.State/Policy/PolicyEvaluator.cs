using System.Collections.Immutable;
using System.Text.Json;
using Appliance.Policy.Compilation;
using Appliance.Policy.Model;
using Appliance.Protocol.Control;

namespace Appliance.State.Policy;

/// <summary>
/// Compiles a policy against a topology once and derives every node's <see cref="NodeMapPolicy"/> from the result.
/// Peers are derived per policy class (nodes with the same sources and destinations see the same peers): one
/// dictionary per class, shared by its members (<see cref="ClassPeers"/>), so a rebuild costs O(classes × N + N),
/// not O(N²). A class dictionary equal to the previous compile's is replaced by that previous object, and so is a
/// node's view when its class dictionary, own entries, filter, SSH and self parts are unchanged, so the map fan-out
/// can tell unchanged nodes apart by reference and push new filters only to the nodes a change affects.
/// </summary>
public static class PolicyEvaluator
{
    /// <summary>Node capabilities every node gets (Headscale sends these too); the policy's nodeAttrs add to them.</summary>
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> DefaultCaps =
        new Dictionary<string, IReadOnlyList<JsonElement>>(StringComparer.Ordinal)
        {
            ["https://tailscale.com/cap/file-sharing"] = [],
            ["https://tailscale.com/cap/ssh"] = [],
        };

    private static readonly SSHPolicy NoSsh = new() { Rules = [] };

    private static readonly IReadOnlyDictionary<long, PeerRoutes> NoPeers = new Dictionary<long, PeerRoutes>();

    /// <summary>The nodeAttr that withholds a node's IPv4 address (Appliance.Policy NodeAttrCompiler.DisableIPv4).</summary>
    private const string DisableIPv4 = "disable-ipv4";

    /// <summary>Parses and compiles <paramref name="text"/> against the topology, running its tests. Nothing is kept on failure.</summary>
    public static PolicyCompileResult Check(string text, PolicyTopology topology, CompileOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        return CompiledPolicy.Compile(text, topology, options);
    }

    /// <summary>Views for an accepted policy whose compile succeeded.</summary>
    public static TailnetPolicy Build(PolicySource source, CompiledPolicy compiled, PolicyTopology topology, TailnetPolicy? previous)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(compiled);
        ArgumentNullException.ThrowIfNull(topology);
        var views = ImmutableDictionary.CreateBuilder<long, NodeMapPolicy>();

        // Only disable-ipv4 makes the policy's addresses differ from the allocated ones; without it no view
        // carries addresses and the shared tailcfg.Node is sent as it is.
        var allocated = compiled.Policy.NodeAttrs.Any(a => a.Attrs.Contains(DisableIPv4))
            ? topology.Nodes.ToDictionary(n => n.Id, n => n.Addresses.Count)
            : null;
        var routes = new RoutesCache(allocated, previous?.PlainRoutes);
        var classes = new Dictionary<PeerClass, IReadOnlyDictionary<long, PeerRoutes>>(ReferenceEqualityComparer.Instance);
        foreach (var node in topology.Nodes)
        {
            var (self, peers) = compiled.ForNodeByClass(node.Id);
            NodeMapPolicy? old = null;
            _ = previous?.Views.TryGetValue(node.Id, out old);
            var personal = peers.Personal.Count == 0 ? NoPeers : peers.Personal.ToDictionary(p => p.NodeId, routes.Personal);
            IReadOnlyDictionary<long, PeerRoutes> peerMap = personal;
            if (peers.Class is { } cls)
            {
                if (!classes.TryGetValue(cls, out var shared))
                {
                    shared = cls.Plain.ToDictionary(p => p.NodeId, routes.Plain);
                    if (old?.Peers is ClassPeers before && SameEntries(before.Shared, shared))
                    {
                        shared = before.Shared;
                    }

                    classes[cls] = shared;
                }

                peerMap = new ClassPeers(node.Id, shared, personal);
            }

            var view = Convert(self, peerMap, allocated);
            if (old is not null && old.SameAsCheaply(view))
            {
                view = old;
            }

            views[node.Id] = view;
        }

        return TailnetPolicy.Create(source, compiled.Policy, compiled, views.ToImmutable(), routes.PlainById);
    }

    /// <summary>Recompiles an accepted policy for a changed topology. Tests are not re-run: they gate policy edits.</summary>
    public static TailnetPolicy Rebuild(TailnetPolicy current, PolicyTopology topology, CompileOptions options)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(options);
        if (!current.IsActive)
        {
            return current;
        }

        var result = CompiledPolicy.Compile(current.Document!, topology, options with { RunTests = false });
        if (!result.Success)
        {
            throw new InvalidOperationException("an accepted policy failed to compile: " + string.Join("; ", result.Errors));
        }

        return Build(current.Source!, result.Policy!, topology, current);
    }

    /// <summary>
    /// The peers that differ between two views of the same node: seen by only one of them, or seen by both with
    /// different routes. Every other peer is the same to the node, so a delta need not mention it. Views that share
    /// class dictionaries are compared through their classes' difference (computed once per pair of classes) and
    /// their own entries, so a join costs each node O(changes), not O(N).
    /// </summary>
    public static IReadOnlyCollection<long> ChangedPeers(NodeMapPolicy old, NodeMapPolicy now)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(now);
        var result = new HashSet<long>();
        if (ReferenceEquals(old, now))
        {
            return result;
        }

        if (old.Peers is ClassPeers before && now.Peers is ClassPeers after && before.Self == after.Self)
        {
            var candidates = ClassPeers.SharedChanges(before.Shared, after.Shared).Concat(before.Personal.Keys).Concat(after.Personal.Keys);
            foreach (var id in candidates)
            {
                var was = old.Peers.TryGetValue(id, out var a);
                var @is = now.Peers.TryGetValue(id, out var b);
                if (was != @is || (was && !a!.SameAs(b!)))
                {
                    result.Add(id);
                }
            }

            return result;
        }

        foreach (var (id, routes) in old.Peers)
        {
            if (!now.Peers.TryGetValue(id, out var theirs) || !routes.SameAs(theirs))
            {
                result.Add(id);
            }
        }

        foreach (var id in now.Peers.Keys)
        {
            if (!old.Peers.ContainsKey(id))
            {
                result.Add(id);
            }
        }

        return result;
    }

    /// <summary>
    /// The class pair two views of one node share with the other members whose policy delta is the same: both views
    /// share class dictionaries, have no own entries, agree on filter, SSH and self parts, and the node's own entry
    /// did not change between the two class dictionaries. Null otherwise (the node's delta is its own).
    /// </summary>
    internal static object? ClassShareKey(NodeMapPolicy old, NodeMapPolicy now)
    {
        if (old.Peers is not ClassPeers before || now.Peers is not ClassPeers after || before.Personal.Count > 0 || after.Personal.Count > 0
            || old.FilterKey != now.FilterKey || old.SshKey != now.SshKey || old.SelfKey != now.SelfKey)
        {
            return null;
        }

        return ClassPeers.SharedChanges(before.Shared, after.Shared).Contains(before.Self) ? null : new ClassPair(before.Shared, after.Shared);
    }

    internal static NodeMapPolicy Isolated(long nodeId) =>
        new(nodeId, [], NoSsh, DefaultCaps, [], null, ImmutableDictionary<long, PeerRoutes>.Empty);

    private static bool SameEntries(IReadOnlyDictionary<long, PeerRoutes> a, IReadOnlyDictionary<long, PeerRoutes> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (id, routes) in a)
        {
            if (!b.TryGetValue(id, out var theirs) || !routes.SameAs(theirs))
            {
                return false;
            }
        }

        return true;
    }

    private static NodeMapPolicy Convert(NodePolicyView view, IReadOnlyDictionary<long, PeerRoutes> peers, Dictionary<long, int>? allocated)
    {
        var caps = new Dictionary<string, IReadOnlyList<JsonElement>>(DefaultCaps, StringComparer.Ordinal);
        foreach (var (name, values) in PolicyWire.CapMap(view.CapMap))
        {
            caps[name] = values;
        }

        return new NodeMapPolicy(
            view.NodeId,
            PolicyWire.Filter(view.PacketFilter),
            view.SshRules.Count > 0 ? PolicyWire.Ssh(view.SshRules) : NoSsh,
            caps,
            view.AllowedIPs,
            Primary(view.PrimaryRoutes),
            peers,
            Withheld(view.NodeId, view.Addresses, allocated));
    }

    /// <summary>
    /// The addresses in wire form when the policy left out some of the node's allocated ones; null when it left
    /// them all, the common case.
    /// </summary>
    private static List<string>? Withheld(long nodeId, IReadOnlyList<Appliance.Policy.Net.IPAddr> addresses, Dictionary<long, int>? allocated) =>
        allocated is not null && allocated.TryGetValue(nodeId, out var count) && addresses.Count < count
            ? PolicyWire.Addresses(addresses)
            : null;

    private static List<string>? Primary(IReadOnlyList<Appliance.Policy.Net.IPPrefix> routes) =>
        routes.Count > 0 ? routes.Select(r => r.ToString()).ToList() : null;

    /// <summary>Equal when both dictionaries are the same objects (Dictionary compares by reference).</summary>
    private sealed record ClassPair(IReadOnlyDictionary<long, PeerRoutes> Old, IReadOnlyDictionary<long, PeerRoutes> Now);

    /// <summary>
    /// Wire forms of peers for one compile. A plain peer (the same <see cref="PeerView"/> object for every viewer)
    /// is converted once, and is the previous compile's object when nothing in it changed, so comparisons across
    /// compiles are mostly by reference; a peer seen with routes is interned by its content.
    /// </summary>
    private sealed class RoutesCache(Dictionary<long, int>? allocated, IReadOnlyDictionary<long, PeerRoutes>? previous)
    {
        private readonly Dictionary<PeerView, PeerRoutes> _plain = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<string, PeerRoutes> _interned = new(StringComparer.Ordinal);

        /// <summary>Peer id → its plain entry in this compile (the next compile reuses equal ones).</summary>
        public Dictionary<long, PeerRoutes> PlainById { get; } = [];

        public PeerRoutes Plain(PeerView peer)
        {
            if (_plain.TryGetValue(peer, out var known))
            {
                return known;
            }

            var routes = Make(peer);
            if (previous is not null && previous.TryGetValue(peer.NodeId, out var old) && old.SameAs(routes))
            {
                routes = old;
            }

            PlainById[peer.NodeId] = routes;
            return _plain[peer] = routes;
        }

        public PeerRoutes Personal(PeerView peer)
        {
            var routes = Make(peer);
            if (_interned.TryGetValue(routes.Key, out var shared))
            {
                return shared;
            }

            _interned[routes.Key] = routes;
            return routes;
        }

        private PeerRoutes Make(PeerView peer) =>
            new(peer.AllowedIPs, Primary(peer.PrimaryRoutes), Withheld(peer.NodeId, peer.Addresses, allocated));
    }
}
