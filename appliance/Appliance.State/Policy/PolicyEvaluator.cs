using System.Collections.Immutable;
using System.Text.Json;
using Appliance.Policy.Compilation;
using Appliance.Policy.Model;
using Appliance.Protocol.Control;

namespace Appliance.State.Policy;

/// <summary>
/// Compiles a policy against a topology once and derives every node's <see cref="NodeMapPolicy"/> from the result.
/// A view equal to the previous compile's view for the same node is replaced by that previous object, so the map
/// fan-out can tell unchanged nodes apart by reference and push new filters only to the nodes a change affects.
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
        var interned = new Dictionary<string, PeerRoutes>(StringComparer.Ordinal);
        var views = ImmutableDictionary.CreateBuilder<long, NodeMapPolicy>();

        // Only disable-ipv4 makes the policy's addresses differ from the allocated ones; without it no view
        // carries addresses and the shared tailcfg.Node is sent as it is.
        var allocated = compiled.Policy.NodeAttrs.Any(a => a.Attrs.Contains(DisableIPv4))
            ? topology.Nodes.ToDictionary(n => n.Id, n => n.Addresses.Count)
            : null;
        foreach (var node in topology.Nodes)
        {
            var view = Convert(compiled.ForNode(node.Id), interned, allocated);
            if (previous?.Views.TryGetValue(node.Id, out var old) == true && old.SameAs(view))
            {
                view = old;
            }

            views[node.Id] = view;
        }

        return TailnetPolicy.Create(source, compiled.Policy, compiled, views.ToImmutable());
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

    internal static NodeMapPolicy Isolated(long nodeId) =>
        new(nodeId, [], NoSsh, DefaultCaps, [], null, ImmutableDictionary<long, PeerRoutes>.Empty);

    private static NodeMapPolicy Convert(NodePolicyView view, Dictionary<string, PeerRoutes> interned, Dictionary<long, int>? allocated)
    {
        var peers = new Dictionary<long, PeerRoutes>(view.Peers.Count);
        foreach (var peer in view.Peers)
        {
            var routes = new PeerRoutes(peer.AllowedIPs, Primary(peer.PrimaryRoutes), Withheld(peer.NodeId, peer.Addresses, allocated));
            if (interned.TryGetValue(routes.Key, out var shared))
            {
                routes = shared;
            }
            else
            {
                interned[routes.Key] = routes;
            }

            peers[peer.NodeId] = routes;
        }

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
}
