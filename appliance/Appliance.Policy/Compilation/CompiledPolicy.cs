using System.Text.Json;
using Appliance.Policy.Model;
using Appliance.Policy.Net;

namespace Appliance.Policy.Compilation;

/// <summary>
/// A policy resolved against one topology. Built once per policy or topology change by <see cref="Compile"/>;
/// <see cref="ForNode"/> then derives each node's view from rule-level indexes without recompiling or scanning
/// the tailnet. Immutable and safe to share between threads (swap the whole object when anything changes).
/// </summary>
/// <remarks>
/// What the indexes hold (n = nodes): for every rule the sorted node arrays it applies to (destinations) and
/// comes from (sources), interned so rules with the same nodes share one array; per node the arrays it belongs
/// to, which give its rules (<see cref="RulesByNode"/>) and, through the distinct (source, destination) array
/// pairs, its peers (<see cref="BuildPeerIndex"/>); per (router, route) the nodes that may send into the
/// route, per route the nodes that receive traffic from it, per exit node the nodes that may use it. ForNode
/// is then a union of a few bitsets plus the node's own rules.
/// </remarks>
public sealed partial class CompiledPolicy
{
    private static readonly IReadOnlyList<IPPrefix> NoRoutes = [];

    private readonly TopologyIndex _topology;
    private readonly List<CompiledRule> _rules;
    private readonly RulesByNode _rulesByDst;
    private readonly PeerIndex _peers;
    private readonly Dictionary<IPPrefix, int> _primary;
    private readonly RouteVisibility _routes;
    private readonly int[] _mergeKey;
    private readonly PeerView[] _plainPeer;
    private readonly IReadOnlyList<IPPrefix>[] _primaryRoutes;
    private readonly SshCompiler _ssh;
    private readonly Dictionary<string, IReadOnlyList<JsonElement>?>[] _nodeCaps;
    private readonly bool[] _ipv4Disabled;

    private CompiledPolicy(
        PolicyDocument policy,
        TopologyIndex topology,
        List<CompiledRule> rules,
        CompileOptions options,
        AliasResolver resolver,
        Dictionary<string, IReadOnlyList<JsonElement>?>[] nodeCaps)
    {
        Policy = policy;
        _topology = topology;
        _rules = rules;
        _nodeCaps = nodeCaps;
        var n = topology.Nodes.Count;

        ResolveRuleNodes(rules, topology);
        _rulesByDst = new RulesByNode(rules, n);
        _peers = BuildPeerIndex(rules, n);
        _mergeKey = MergeKeys(rules);

        _primary = [];
        foreach (var (prefix, nodeId) in topology.PrimaryRouters)
        {
            if (topology.NodeIndex.TryGetValue(nodeId, out var at) && topology.SubnetRoutes[at].Any(r => r.Masked == prefix.Masked))
            {
                _primary[prefix.Masked] = at;
            }
        }

        for (var i = 0; i < n; i++)
        {
            foreach (var route in topology.SubnetRoutes[i])
            {
                _primary.TryAdd(route.Masked, i);
            }
        }

        _primaryRoutes = new IReadOnlyList<IPPrefix>[n];
        _plainPeer = new PeerView[n];
        _ipv4Disabled = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var node = topology.Nodes[i];
            _primaryRoutes[i] = topology.SubnetRoutes[i].Count == 0
                ? NoRoutes
                : topology.SubnetRoutes[i].Where(r => _primary[r.Masked] == i).ToList();
            var hosts = node.Addresses.Select(a => IPPrefix.Host(a).ToString()).ToList();
            _plainPeer[i] = new PeerView(node.Id, hosts, NoRoutes) { Addresses = node.Addresses };
            _ipv4Disabled[i] = nodeCaps[i].ContainsKey(NodeAttrCompiler.DisableIPv4);
        }

        _routes = new RouteVisibility(rules, _rulesByDst, topology);
        _ssh = new SshCompiler(policy, topology, resolver, options);
        AssignClasses();
    }

    public PolicyDocument Policy { get; }

    /// <summary>Parses, validates, compiles, and runs the policy's tests. Errors carry line and column.</summary>
    public static PolicyCompileResult Compile(string policyText, PolicyTopology topology, CompileOptions? options = null)
    {
        options ??= CompileOptions.Default;
        var parsed = PolicyParser.Parse(policyText, new PolicyParserOptions { TailnetDomains = options.TailnetDomains ?? DomainsOf(topology), ExternalGroups = topology.Groups });
        if (!parsed.Success)
        {
            return new PolicyCompileResult(null, parsed.Errors);
        }

        return Compile(parsed.Document!, topology, options);
    }

    public static PolicyCompileResult Compile(PolicyDocument policy, PolicyTopology topology, CompileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(topology);
        options ??= CompileOptions.Default;
        var (compiled, resolver, index) = CompileCore(policy, topology, options);
        var testErrors = new List<PolicyError>();
        if (options.RunTests)
        {
            // Tests name identities, not devices (Tailscale checks them against the policy itself): run them on the
            // tailnet plus a stand-in node for each tag or user they name that has none yet (PolicyTestTopology).
            var testTopology = PolicyTestTopology.For(policy, topology);
            testErrors = ReferenceEquals(testTopology, topology)
                ? new PolicyTestRunner(compiled, resolver, index).Run()
                : RunTests(policy, testTopology, options);
        }

        return testErrors.Count > 0 ? new PolicyCompileResult(null, testErrors) : new PolicyCompileResult(compiled, []);
    }

    private static List<PolicyError> RunTests(PolicyDocument policy, PolicyTopology topology, CompileOptions options)
    {
        var (compiled, resolver, index) = CompileCore(policy, topology, options);
        return new PolicyTestRunner(compiled, resolver, index).Run();
    }

    private static (CompiledPolicy Compiled, AliasResolver Resolver, TopologyIndex Index) CompileCore(PolicyDocument policy, PolicyTopology topology, CompileOptions options)
    {
        // Approvers are resolved against node identities only (tags, users), which routes do not change.
        var approved = policy.AutoApprovers.Routes.Count == 0 && policy.AutoApprovers.ExitNode.Count == 0
            ? topology.Nodes.Select(n => (IReadOnlyList<IPPrefix>)n.ApprovedRoutes.Select(r => r.Masked).Distinct().ToList()).ToList()
            : AutoApprover.EffectiveApproved(policy, topology, new AliasResolver(policy, new TopologyIndex(topology, topology.Nodes.Select(_ => (IReadOnlyList<IPPrefix>)[]).ToList())).Resolve);
        var index = new TopologyIndex(topology, approved);
        var resolver = new AliasResolver(policy, index);

        // nodeAttrs target nodes as they registered; a node given disable-ipv4 then has no IPv4 address for
        // everything else (rules, peers, tests), as Tailscale withholds it from the node and its peers.
        var caps = NodeAttrCompiler.Compile(policy, index, resolver);
        if (caps.Any(c => c.ContainsKey(NodeAttrCompiler.DisableIPv4)))
        {
            var nodes = topology.Nodes
                .Select((node, i) => caps[i].ContainsKey(NodeAttrCompiler.DisableIPv4)
                    ? node with { Addresses = node.Addresses.Where(a => a.IsV6).ToList() }
                    : node)
                .ToList();
            index = new TopologyIndex(topology with { Nodes = nodes }, approved);
            resolver = new AliasResolver(policy, index);
        }

        var rules = new RuleCompiler(resolver, index).Compile(policy);
        var compiled = new CompiledPolicy(policy, index, rules, options, resolver, caps);
        return (compiled, resolver, index);
    }

    /// <summary>The tailnet's login domain: the owner's (first user's) e-mail domain, as Tailscale associates it.</summary>
    public static IReadOnlyList<string> DomainsOf(PolicyTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var owner = topology.Users.Count > 0 ? topology.Users[0] : null;
        var at = owner?.LoginName.LastIndexOf('@') ?? -1;
        return at >= 0 ? [owner!.LoginName[(at + 1)..]] : [];
    }

    public bool HasNode(long nodeId) => _topology.NodeIndex.ContainsKey(nodeId);

    /// <summary>What the policy decides for one node.</summary>
    public NodePolicyView ForNode(long nodeId)
    {
        var i = IndexOf(nodeId);
        return View(i, PeersFor(i));
    }

    private int IndexOf(long nodeId) => _topology.NodeIndex.TryGetValue(nodeId, out var idx)
        ? idx
        : throw new ArgumentException($"node {nodeId} is not in the compiled topology", nameof(nodeId));

    private NodePolicyView View(int i, IReadOnlyList<PeerView> peers)
    {
        var self = _topology.Nodes[i];
        var allowed = self.Addresses.Select(a => IPPrefix.Host(a).ToString())
            .Concat(_primaryRoutes[i].Select(r => r.ToString()))
            .ToList();
        return new NodePolicyView(self.Id, FilterFor(i), peers, _ssh.RulesFor(i), _nodeCaps[i], allowed, _primaryRoutes[i])
        {
            Addresses = self.Addresses,
        };
    }

    /// <summary>Routes approved for a node, by an admin or by the policy's autoApprovers.</summary>
    public IReadOnlyList<IPPrefix> ApprovedRoutes(long nodeId) =>
        _topology.NodeIndex.TryGetValue(nodeId, out var i) ? _topology.Approved[i] : [];

    internal IReadOnlyList<CompiledRule> Rules => _rules;

    internal IReadOnlyList<SSHRule> ForNodeSsh(int index) => _ssh.RulesFor(index);

    private List<FilterRule> FilterFor(int node)
    {
        var merged = new Dictionary<int, (CompiledRule Rule, List<DstEntry> Dsts)>();
        var order = new List<int>();
        var result = new List<FilterRule>();
        foreach (var r in _rulesByDst.RulesAt(node))
        {
            var rule = _rules[r];
            if (rule.Caps is not null)
            {
                var caps = RuleReducer.ReduceCaps(rule, node, _topology);
                if (caps is not null)
                {
                    result.Add(new FilterRule
                    {
                        SrcIPs = rule.SrcStrings,
                        CapGrant = caps.Select(c => new CapGrant(c.Dsts, c.Entry.CapMap)).ToList(),
                    });
                }

                continue;
            }

            var dsts = RuleReducer.ReducePorts(rule, node, _topology);
            if (dsts is null)
            {
                continue;
            }

            // Rules with the same sources and protocols become one FilterRule, as Tailscale sends them.
            var key = _mergeKey[r];
            if (merged.TryGetValue(key, out var existing))
            {
                existing.Dsts.AddRange(dsts);
            }
            else
            {
                merged[key] = (rule, new List<DstEntry>(dsts));
                order.Add(key);
            }
        }

        foreach (var key in order)
        {
            var (rule, dsts) = merged[key];
            result.Add(new FilterRule
            {
                SrcIPs = rule.SrcStrings,
                DstPorts = dsts.Select(d => new NetPortRange(d.IP, new PortRangeJson(d.Ports.First, d.Ports.Last)))
                    .Distinct().ToList(),
                IPProto = rule.Proto,
            });
        }

        return result;
    }

    /// <summary>
    /// Peers are the nodes that may send to this node (sources of rules it enforces) and the nodes it may send
    /// to (destinations of rules it is a source of). Most peers are shown as they are; routers and exit nodes
    /// also carry the routes this viewer may use through them.
    /// </summary>
    private List<PeerView> PeersFor(int viewer)
    {
        var bits = PeerBits(viewer);
        bits.Remove(viewer);
        var via = _routes.ViaPrimaries(viewer);
        var v4Off = _ipv4Disabled[viewer];
        var members = bits.ToArray();
        var result = new List<PeerView>(members.Length);
        foreach (var p in members)
        {
            result.Add(_routes.CarriesRoutes(p) || v4Off ? PeerWithRoutes(viewer, p, via, v4Off) : _plainPeer[p]);
        }

        return result;
    }

    private PeerView PeerWithRoutes(int viewer, int peer, Dictionary<IPPrefix, int>? via, bool v4Off)
    {
        var routes = new List<IPPrefix>();
        foreach (var route in _topology.SubnetRoutes[peer])
        {
            var key = route.Masked;

            // The elected primary serves the route, unless the viewer reaches the route only through a via
            // grant: then the via grant's router is its primary (Tailscale shows it that router, with the route).
            var primary = _primary[key];
            if (via is not null && via.TryGetValue(key, out var chosen) && chosen != primary && !_routes.Visible(viewer, primary, route))
            {
                primary = chosen;
            }

            if (primary == peer && _routes.Visible(viewer, peer, route))
            {
                routes.Add(route);
            }
        }

        // A node without IPv4 (disable-ipv4) cannot reach its peers' IPv4 addresses.
        var plain = _plainPeer[peer];
        var allowed = (v4Off ? plain.AllowedIPs.Where(a => a.Contains(':', StringComparison.Ordinal)) : plain.AllowedIPs)
            .Concat(routes.Select(r => r.ToString()));
        if (_topology.IsExitNode[peer] && _routes.MayUseExit(viewer, peer))
        {
            allowed = allowed.Concat(_topology.Approved[peer].Where(TailscaleRanges.IsExitRoute).Select(r => r.ToString()));
        }

        // ... nor is it shown them: Tailscale sends such a node its peers with IPv6 Addresses only.
        var addresses = v4Off && plain.Addresses.Any(a => !a.IsV6) ? plain.Addresses.Where(a => a.IsV6).ToList() : plain.Addresses;
        return new PeerView(plain.NodeId, allowed.ToList(), routes.Count == 0 ? NoRoutes : routes) { Addresses = addresses };
    }

    /// <summary>Gives every rule its destination and source node arrays (interned, so equal arrays are one object).</summary>
    private static void ResolveRuleNodes(List<CompiledRule> rules, TopologyIndex topology)
    {
        var arrays = new NodeArrays();
        var bySrc = new Dictionary<IPSet, int[]>(ReferenceEqualityComparer.Instance);

        // Destination sets are shared per alias, so rules to the same destinations (say, many sources to
        // "*:port" or to one tag) present the same set objects: resolve each such combination once.
        var byDst = new Dictionary<(string Sets, bool Ports), int[]>();
        var setIds = new Dictionary<IPSet, int>(ReferenceEqualityComparer.Instance);
        int[]? everyone = null;
        foreach (var rule in rules)
        {
            if (rule.ViaTags is not null)
            {
                rule.DstNodes = arrays.Intern(DestinationNodes(rule, topology));
            }
            else
            {
                var ids = (rule.Caps is not null ? rule.Caps.Select(c => c.Set) : rule.Dsts.Select(d => d.Set))
                    .Select(set => setIds.TryGetValue(set, out var id) ? id : setIds[set] = setIds.Count)
                    .Distinct();
                var key = (string.Join(",", ids), rule.Caps is null);
                if (!byDst.TryGetValue(key, out var dst))
                {
                    byDst[key] = dst = arrays.Intern(DestinationNodes(rule, topology));
                }

                rule.DstNodes = dst;
            }

            if (rule.SrcStrings is ["*"])
            {
                rule.SrcNodes = everyone ??= arrays.Intern(Enumerable.Range(0, topology.Nodes.Count).ToArray());
            }
            else if (!bySrc.TryGetValue(rule.Src, out var src))
            {
                rule.SrcNodes = bySrc[rule.Src] = arrays.Intern(SourceNodes(rule.Src, topology));
            }
            else
            {
                rule.SrcNodes = src;
            }
        }
    }

    /// <summary>
    /// The nodes a rule reduces to something at (<see cref="RuleReducer"/>), found from the rule's side: nodes
    /// owning a destination address (address index), routers whose routes overlap the destinations, and, for
    /// port rules, exit nodes when a destination lies in the internet. Via rules check their few tagged routers.
    /// </summary>
    private static int[] DestinationNodes(CompiledRule rule, TopologyIndex topology)
    {
        var result = new HashSet<int>();
        if (rule.ViaTags is not null)
        {
            result.UnionWith(rule.ViaTags.SelectMany(topology.NodesWithTag).Select(n => topology.NodeIndex[n.Id])
                .Where(i => RuleReducer.ReducePorts(rule, i, topology) is not null));
        }
        else
        {
            var sets = (rule.Caps is not null ? rule.Caps.Select(c => c.Set) : rule.Dsts.Select(d => d.Set))
                .Distinct(ReferenceEqualityComparer.Instance).Cast<IPSet>().ToList();
            foreach (var set in sets)
            {
                result.UnionWith(topology.NodesIn(set));
            }

            if (topology.Routers.Count > 0)
            {
                var all = IPSet.UnionAll(sets);
                result.UnionWith(topology.Routers.Where(i => topology.SubnetRoutes[i].Any(all.OverlapsPrefix)));
            }

            if (rule.Caps is null && topology.ExitNodes.Count > 0 && sets.Any(s => s.IsSubsetOf(TailscaleRanges.Internet)))
            {
                result.UnionWith(topology.ExitNodes);
            }
        }

        var array = result.ToArray();
        Array.Sort(array);
        return array;
    }

    /// <summary>Nodes whose addresses are in the set, and routers whose approved routes overlap it.</summary>
    private static int[] SourceNodes(IPSet src, TopologyIndex topology)
    {
        var result = new HashSet<int>(topology.NodesIn(src));
        result.UnionWith(topology.Routers.Where(i => topology.SubnetRoutes[i].Any(src.OverlapsPrefix)));
        var array = result.ToArray();
        Array.Sort(array);
        return array;
    }

    /// <summary>
    /// Peer structure: rules reduced to distinct (source array, destination array) pairs, each array numbered once,
    /// and per node the arrays it belongs to. A node's peers are then the arrays paired with its own, which keeps
    /// compile linear in the tailnet rather than in rules times nodes.
    /// </summary>
    private static PeerIndex BuildPeerIndex(List<CompiledRule> rules, int nodeCount)
    {
        var ids = new Dictionary<int[], int>(ReferenceEqualityComparer.Instance);
        var arrays = new List<int[]>();
        int Id(int[] a)
        {
            if (!ids.TryGetValue(a, out var id))
            {
                ids[a] = id = arrays.Count;
                arrays.Add(a);
            }

            return id;
        }

        var pairs = new HashSet<(int Src, int Dst)>();
        foreach (var rule in rules)
        {
            if (rule.SrcNodes.Length > 0 && rule.DstNodes.Length > 0)
            {
                pairs.Add((Id(rule.SrcNodes), Id(rule.DstNodes)));
            }
        }

        var partners = new List<int>?[arrays.Count];
        foreach (var (src, dst) in pairs)
        {
            (partners[src] ??= []).Add(dst);
            if (src != dst)
            {
                (partners[dst] ??= []).Add(src);
            }
        }

        var memberships = new List<int>?[nodeCount];
        for (var id = 0; id < arrays.Count; id++)
        {
            foreach (var i in arrays[id])
            {
                (memberships[i] ??= []).Add(id);
            }
        }

        return new PeerIndex(
            arrays.ToArray(),
            partners.Select(p => p?.Distinct().ToArray() ?? []).ToArray(),
            memberships.Select(m => m?.ToArray() ?? []).ToArray());
    }

    /// <summary>See <see cref="BuildPeerIndex"/>: node arrays by number, each array's partners, each node's arrays.</summary>
    private sealed record PeerIndex(int[][] Arrays, int[][] Partners, int[][] Memberships);

    /// <summary>One number per distinct (SrcIPs, IPProto); SrcIPs text is built once per distinct list object.</summary>
    private static int[] MergeKeys(List<CompiledRule> rules)
    {
        var listIds = new Dictionary<IReadOnlyList<string>, int>(ReferenceEqualityComparer.Instance);
        var textIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new Dictionary<(int, string), int>();
        var result = new int[rules.Count];
        for (var r = 0; r < rules.Count; r++)
        {
            var rule = rules[r];
            if (!listIds.TryGetValue(rule.SrcStrings, out var src))
            {
                var text = string.Join(",", rule.SrcStrings);
                if (!textIds.TryGetValue(text, out src))
                {
                    textIds[text] = src = textIds.Count;
                }

                listIds[rule.SrcStrings] = src;
            }

            var k = (src, rule.Proto is null ? "" : string.Join(",", rule.Proto));
            if (!keys.TryGetValue(k, out var key))
            {
                keys[k] = key = keys.Count;
            }

            result[r] = key;
        }

        return result;
    }
}
