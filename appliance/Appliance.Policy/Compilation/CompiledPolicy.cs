using System.Text.Json;
using Appliance.Policy.Model;
using Appliance.Policy.Net;

namespace Appliance.Policy.Compilation;

/// <summary>
/// A policy resolved against one topology. Built once per policy or topology change by <see cref="Compile"/>;
/// <see cref="ForNode"/> then derives each node's view from the shared rule list without recompiling.
/// Immutable and safe to share between threads (swap the whole object when anything changes).
/// </summary>
public sealed partial class CompiledPolicy
{
    private readonly TopologyIndex _topology;
    private readonly List<CompiledRule> _rules;
    private readonly List<int>[] _rulesByDst;
    private readonly List<int>[] _rulesBySrc;
    private readonly Dictionary<IPPrefix, int> _primary;
    private readonly SshCompiler _ssh;
    private readonly Dictionary<string, IReadOnlyList<JsonElement>?>[] _nodeCaps;

    private CompiledPolicy(PolicyDocument policy, TopologyIndex topology, List<CompiledRule> rules, CompileOptions options, AliasResolver resolver)
    {
        Policy = policy;
        _topology = topology;
        _rules = rules;
        var n = topology.Nodes.Count;
        _rulesByDst = new List<int>[n];
        _rulesBySrc = new List<int>[n];
        for (var i = 0; i < n; i++)
        {
            _rulesByDst[i] = [];
            _rulesBySrc[i] = [];
        }

        for (var r = 0; r < rules.Count; r++)
        {
            var rule = rules[r];
            rule.DstNodes = DestinationNodes(rule, topology);
            rule.SrcNodes = SourceNodes(rule, topology);
            foreach (var i in rule.DstNodes)
            {
                _rulesByDst[i].Add(r);
            }

            foreach (var i in rule.SrcNodes)
            {
                _rulesBySrc[i].Add(r);
            }
        }

        _primary = [];
        for (var i = 0; i < n; i++)
        {
            foreach (var route in topology.SubnetRoutes[i])
            {
                _primary.TryAdd(route.Masked, i);
            }
        }

        _ssh = new SshCompiler(policy, topology, resolver, options);
        _nodeCaps = NodeAttrCompiler.Compile(policy, topology, resolver);
    }

    public PolicyDocument Policy { get; }

    /// <summary>Candidates come from address lookups plus routers and exit nodes; each is then checked exactly.</summary>
    private static int[] DestinationNodes(CompiledRule rule, TopologyIndex topology)
    {
        var candidates = new HashSet<int>();
        if (rule.ViaTags is not null)
        {
            candidates.UnionWith(rule.ViaTags.SelectMany(topology.NodesWithTag).Select(n => topology.NodeIndex[n.Id]));
        }
        else
        {
            var sets = rule.Caps is not null ? rule.Caps.Select(c => c.Set) : rule.Dsts.Select(d => d.Set);
            foreach (var set in sets.Distinct())
            {
                candidates.UnionWith(topology.NodesIn(set));
            }

            candidates.UnionWith(topology.Routers);
            if (rule.Caps is null)
            {
                candidates.UnionWith(topology.ExitNodes);
            }
        }

        var result = candidates.Where(i => RuleReducer.Applies(rule, i, topology)).ToArray();
        Array.Sort(result);
        return result;
    }

    private static int[] SourceNodes(CompiledRule rule, TopologyIndex topology)
    {
        if (rule.SrcStrings is ["*"])
        {
            return Enumerable.Range(0, topology.Nodes.Count).ToArray();
        }

        var result = new HashSet<int>(topology.NodesIn(rule.Src));
        result.UnionWith(topology.Routers.Where(i => topology.SubnetRoutes[i].Any(rule.Src.OverlapsPrefix)));
        var array = result.ToArray();
        Array.Sort(array);
        return array;
    }

    /// <summary>Parses, validates, compiles, and runs the policy's tests. Errors carry line and column.</summary>
    public static PolicyCompileResult Compile(string policyText, PolicyTopology topology, CompileOptions? options = null)
    {
        options ??= CompileOptions.Default;
        var parsed = PolicyParser.Parse(policyText, new PolicyParserOptions { TailnetDomains = options.TailnetDomains ?? DomainsOf(topology) });
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
        // Approvers are resolved against node identities only (tags, users), which routes do not change.
        var preliminary = new AliasResolver(policy, new TopologyIndex(topology, topology.Nodes.Select(_ => (IReadOnlyList<IPPrefix>)[]).ToList()));
        var approved = AutoApprover.EffectiveApproved(policy, topology, preliminary.Resolve);
        var index = new TopologyIndex(topology, approved);
        var resolver = new AliasResolver(policy, index);
        var rules = new RuleCompiler(resolver, index).Compile(policy);
        var compiled = new CompiledPolicy(policy, index, rules, options, resolver);
        var testErrors = options.RunTests ? new PolicyTestRunner(compiled, resolver, index).Run() : [];
        return testErrors.Count > 0 ? new PolicyCompileResult(null, testErrors) : new PolicyCompileResult(compiled, []);
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
        var i = _topology.NodeIndex.TryGetValue(nodeId, out var idx)
            ? idx
            : throw new ArgumentException($"node {nodeId} is not in the compiled topology", nameof(nodeId));
        return new NodePolicyView(
            nodeId,
            FilterFor(i),
            PeersFor(i),
            _ssh.RulesFor(i),
            _nodeCaps[i],
            AllowedIPsOf(i, includeAllPrimary: true),
            PrimaryRoutesOf(i));
    }

    internal IReadOnlyList<CompiledRule> Rules => _rules;

    internal IReadOnlyList<SSHRule> ForNodeSsh(int index) => _ssh.RulesFor(index);

    private List<FilterRule> FilterFor(int node)
    {
        var merged = new Dictionary<string, (CompiledRule Rule, List<DstEntry> Dsts)>(StringComparer.Ordinal);
        var order = new List<string>();
        var result = new List<FilterRule>();
        foreach (var r in _rulesByDst[node])
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

            var key = rule.MergeKey;
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

    private List<PeerView> PeersFor(int node)
    {
        var peers = new SortedSet<int>();
        foreach (var r in _rulesByDst[node])
        {
            AddAll(peers, _rules[r].SrcNodes);
        }

        foreach (var r in _rulesBySrc[node])
        {
            AddAll(peers, _rules[r].DstNodes);
        }

        peers.Remove(node);
        var result = new List<PeerView>(peers.Count);
        foreach (var p in peers)
        {
            var routes = PrimaryRoutesOf(p).Where(route => RouteVisible(node, p, route)).ToList();
            var allowed = _topology.Nodes[p].Addresses.Select(a => IPPrefix.Host(a).ToString())
                .Concat(routes.Select(r => r.ToString()));
            if (_topology.IsExitNode[p] && ExitVisible(node, p))
            {
                allowed = allowed.Concat(_topology.Approved[p].Where(TailscaleRanges.IsExitRoute).Select(r => r.ToString()));
            }

            result.Add(new PeerView(_topology.Nodes[p].Id, allowed.ToList(), routes));
        }

        return result;
    }

    private static void AddAll(SortedSet<int> set, int[] nodes) => set.UnionWith(nodes);

    /// <summary>A peer's route is usable by the viewer when the viewer may send into it or it may send to the viewer.</summary>
    private bool RouteVisible(int viewer, int peer, IPPrefix route)
    {
        foreach (var r in _rulesByDst[peer])
        {
            var rule = _rules[r];
            if (rule.Caps is null && rule.HasSrcNode(viewer) && (RuleReducer.ReducePorts(rule, peer, _topology) ?? []).Any(d => d.Set.OverlapsPrefix(route)))
            {
                return true;
            }
        }

        foreach (var r in _rulesByDst[viewer])
        {
            if (_rules[r].Src.OverlapsPrefix(route))
            {
                return true;
            }
        }

        // A standby router for the same route knows who is primary (high-availability failover).
        return _topology.SubnetRoutes[viewer].Contains(route);
    }

    /// <summary>Routes approved for a node, by an admin or by the policy's autoApprovers.</summary>
    public IReadOnlyList<IPPrefix> ApprovedRoutes(long nodeId) =>
        _topology.NodeIndex.TryGetValue(nodeId, out var i) ? _topology.Approved[i] : [];

    private bool ExitVisible(int viewer, int peer)
    {
        foreach (var r in _rulesByDst[peer])
        {
            var rule = _rules[r];
            if (rule.Caps is null && rule.HasSrcNode(viewer)
                && (RuleReducer.ReducePorts(rule, peer, _topology) ?? []).Any(d => d.Set.Overlaps(TailscaleRanges.Internet)))
            {
                return true;
            }
        }

        return false;
    }

    private List<IPPrefix> PrimaryRoutesOf(int node) =>
        _topology.SubnetRoutes[node].Where(r => _primary.TryGetValue(r.Masked, out var p) && p == node).ToList();

    private List<string> AllowedIPsOf(int node, bool includeAllPrimary)
    {
        var list = _topology.Nodes[node].Addresses.Select(a => IPPrefix.Host(a).ToString()).ToList();
        if (includeAllPrimary)
        {
            list.AddRange(PrimaryRoutesOf(node).Select(r => r.ToString()));
        }

        return list;
    }
}
