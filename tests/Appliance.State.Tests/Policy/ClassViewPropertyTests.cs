using System.Globalization;
using System.Text;
using Appliance.Policy.Compilation;
using Appliance.Policy.Net;
using Appliance.State.Policy;

namespace Appliance.State.Tests.Policy;

/// <summary>
/// Views are derived per policy class and rebuilt incrementally (previous objects reused). These properties check
/// that against the definition on random tailnets and policies (fixed seeds): groups, tags, autogroups, hosts, IP
/// destinations, subnet routers, exit nodes, disable-ipv4, via grants and SSH, across joins, leaves, tag and route
/// changes. Every view must equal the one-node-at-a-time result (<see cref="CompiledPolicy.ForNode"/>) and a
/// from-scratch build; <see cref="PolicyEvaluator.ChangedPeers"/> must name exactly the peers that differ.
/// </summary>
public class ClassViewPropertyTests
{
    private static readonly UInt128 V6Base = UInt128.Parse("fd7a115ca1e000000000000000000000", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Class_views_equal_each_nodes_own_view(int seed)
    {
        var random = new Random(seed);
        var tailnet = new RandomTailnet(random, nodes: 60);
        var policy = tailnet.Policy(rules: 25);
        var topology = tailnet.Topology();
        var compiled = Compile(policy, topology);

        var built = PolicyEvaluator.Build(Source(policy), compiled, topology, previous: null);

        var shared = 0;
        foreach (var node in topology.Nodes)
        {
            AssertMatchesForNode(compiled, policy, topology, built.Views[node.Id]);
        }

        // The comparison must cover class sharing, or it proves nothing about it.
        shared = built.Views.Values.Select(v => v.Peers).OfType<ClassPeers>().GroupBy(c => c.Shared).Max(g => g.Count());
        Assert.True(shared > 1, "no two nodes share a class");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(16)]
    public void Rebuilds_across_topology_changes_equal_a_fresh_build(int seed)
    {
        var random = new Random(seed);
        var tailnet = new RandomTailnet(random, nodes: 40);
        var policy = tailnet.Policy(rules: 20);
        var options = new CompileOptions { RunTests = false };
        var topology = tailnet.Topology();
        var current = PolicyEvaluator.Build(Source(policy), Compile(policy, topology), topology, previous: null);
        var reused = 0;
        var changedPeers = 0;
        for (var step = 0; step < 16; step++)
        {
            var what = tailnet.Mutate();
            topology = tailnet.Topology();
            var next = PolicyEvaluator.Rebuild(current, topology, options);
            var compiled = Compile(policy, topology);
            var fresh = PolicyEvaluator.Build(Source(policy), compiled, topology, previous: null);

            Assert.Equal(fresh.Views.Keys.Order(), next.Views.Keys.Order());
            foreach (var (id, view) in next.Views)
            {
                Assert.True(view.SameAs(fresh.Views[id]), $"step {step} ({what}): node {id}'s rebuilt view differs from a fresh build");
                AssertMatchesForNode(compiled, policy, topology, view);
                if (current.Views.TryGetValue(id, out var old))
                {
                    var expected = NaiveChanges(old, view);
                    Assert.Equal(expected.Order(), PolicyEvaluator.ChangedPeers(old, view).Order());
                    changedPeers += expected.Count;
                    if (ReferenceEquals(old, view))
                    {
                        reused++;
                        Assert.Empty(expected);
                    }
                    else
                    {
                        Assert.False(what.StartsWith("advertise", StringComparison.Ordinal), $"step {step} ({what}): node {id}'s unchanged view was not reused");
                    }
                }
            }

            current = next;
        }

        // The sequence must both reuse views and change peers, or one half of the property is untested.
        Assert.True(reused > 0, "no view was ever reused");
        Assert.True(changedPeers > 0, "no peer ever changed");
    }

    private static void AssertMatchesForNode(CompiledPolicy compiled, string policy, PolicyTopology topology, NodeMapPolicy view)
    {
        var own = compiled.ForNode(view.NodeId);
        var withheld = policy.Contains("disable-ipv4", StringComparison.Ordinal);
        var allocated = topology.Nodes.ToDictionary(n => n.Id, n => n.Addresses.Count);
        Assert.Equal(own.Peers.Select(p => p.NodeId).Order(), view.Peers.Keys.Order());
        Assert.Equal(own.Peers.Count, view.Peers.Count);
        foreach (var peer in own.Peers)
        {
            Assert.True(view.Peers.TryGetValue(peer.NodeId, out var routes), $"node {view.NodeId} lost peer {peer.NodeId}");
            Assert.True(view.CanSee(peer.NodeId));
            Assert.Equal(peer.AllowedIPs, routes!.AllowedIPs);
            Assert.Equal(peer.PrimaryRoutes.Select(r => r.ToString()), routes.PrimaryRoutes ?? []);
            var addresses = withheld && peer.Addresses.Count < allocated[peer.NodeId] ? PolicyWire.Addresses(peer.Addresses) : null;
            Assert.Equal(addresses, routes.Addresses?.ToList());
        }

        Assert.False(view.CanSee(view.NodeId));
        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(PolicyWire.Filter(own.PacketFilter), Appliance.Protocol.Control.ControlJsonContext.Default.IReadOnlyListFilterRule),
            view.FilterKey);
        Assert.Equal(own.AllowedIPs, view.AllowedIPs);
    }

    private static HashSet<long> NaiveChanges(NodeMapPolicy old, NodeMapPolicy now)
    {
        var before = old.Peers.ToDictionary(kv => kv.Key, kv => kv.Value);
        var after = now.Peers.ToDictionary(kv => kv.Key, kv => kv.Value);
        var result = new HashSet<long>();
        foreach (var id in before.Keys.Union(after.Keys))
        {
            if (!before.TryGetValue(id, out var a) || !after.TryGetValue(id, out var b) || a.Key != b.Key)
            {
                result.Add(id);
            }
        }

        return result;
    }

    private static CompiledPolicy Compile(string policy, PolicyTopology topology)
    {
        var result = CompiledPolicy.Compile(policy, topology, new CompileOptions { RunTests = false });
        Assert.True(result.Success, string.Join("; ", result.Errors) + "\n" + policy);
        return result.Policy!;
    }

    private static PolicySource Source(string policy) => new(policy, "test", null, "");

    /// <summary>A tailnet that changes step by step: users, tagged nodes, subnet routers and exit nodes.</summary>
    private sealed class RandomTailnet
    {
        private readonly Random _random;
        private readonly List<PolicyUser> _users = Enumerable.Range(1, 10).Select(i => new PolicyUser(i, $"u{i}@example.com", $"u{i}")).ToList();
        private readonly List<PolicyNode> _nodes = [];
        private readonly bool _disableIPv4;
        private readonly bool _via;
        private int _nextId = 1;

        public RandomTailnet(Random random, int nodes)
        {
            _random = random;
            _disableIPv4 = random.Next(2) == 0;
            _via = random.Next(2) == 0;
            for (var i = 0; i < nodes; i++)
            {
                _nodes.Add(NewNode());
            }
        }

        public PolicyTopology Topology() => new(_users, _nodes.ToList());

        /// <summary>One random change: a join, a leave, a retag, a route approved or withdrawn, or one only advertised. Returns what it did.</summary>
        public string Mutate()
        {
            var at = _random.Next(_nodes.Count);
            switch (_random.Next(6))
            {
                case 5:
                    // A route advertised but not approved: the policy sees the node change, no view does.
                    var advertiser = _nodes[at];
                    _nodes[at] = advertiser with { AdvertisedRoutes = [.. advertiser.ApprovedRoutes, IPPrefix.Parse($"192.168.{_random.Next(200)}.0/24")] };
                    return $"advertise {advertiser.Id}";
                case 0:
                case 1:
                    _nodes.Add(NewNode());
                    return "join";
                case 2:
                    var gone = _nodes[at];
                    _nodes.RemoveAt(at);
                    return $"leave {gone.Id}";
                case 3:
                    var node = _nodes[at];
                    _nodes[at] = node with { Tags = node.IsTagged ? [] : [Tag()], UserId = node.UserId ?? _random.Next(1, _users.Count + 1) };
                    return $"retag {node.Id}";
                default:
                    var router = _nodes[at];
                    var routes = Routes();
                    _nodes[at] = router with { AdvertisedRoutes = routes, ApprovedRoutes = routes };
                    return $"routes {router.Id}: {string.Join(",", routes)}";
            }
        }

        public string Policy(int rules)
        {
            var sb = new StringBuilder("{\"groups\": {");
            for (var g = 0; g < 3; g++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"\"group:g{g}\": [\"u{g + 1}@example.com\", \"u{g + 4}@example.com\"],");
            }

            sb.Append("}, \"hosts\": {\"lan\": \"10.1.0.0/16\", \"box\": \"100.64.0.3\"}, \"tagOwners\": {");
            for (var t = 0; t < 5; t++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"\"tag:t{t}\": [\"u1@example.com\"],");
            }

            sb.Append("}, \"acls\": [");
            for (var r = 0; r < rules; r++)
            {
                var src = _random.Next(12) == 0 ? "*" : Alias();
                var dst = _random.Next(9) switch
                {
                    0 => "autogroup:self:*",
                    1 => "*:*",
                    2 => "autogroup:internet:443",
                    3 => "lan:80",
                    4 => "box:22",
                    _ => Alias() + ":" + (22 + _random.Next(3)).ToString(CultureInfo.InvariantCulture),
                };
                if (dst.StartsWith("autogroup:self", StringComparison.Ordinal) && !(src.StartsWith("group:", StringComparison.Ordinal) || src == "autogroup:member" || src.EndsWith("@example.com", StringComparison.Ordinal)))
                {
                    src = "autogroup:member";
                }

                sb.Append(CultureInfo.InvariantCulture, $"{{\"action\": \"accept\", \"src\": [\"{src}\"], \"dst\": [\"{dst}\"]}},");
            }

            sb.Append(']');
            if (_via)
            {
                sb.Append(", \"grants\": [{\"src\": [\"autogroup:member\"], \"dst\": [\"10.2.0.0/16\"], \"ip\": [\"*\"], \"via\": [\"tag:t1\"]}]");
            }

            if (_disableIPv4)
            {
                sb.Append(", \"nodeAttrs\": [{\"target\": [\"tag:t2\"], \"attr\": [\"disable-ipv4\"]}]");
            }

            sb.Append(", \"ssh\": [{\"action\": \"accept\", \"src\": [\"autogroup:member\"], \"dst\": [\"autogroup:self\"], \"users\": [\"autogroup:nonroot\"]}]");
            sb.Append('}');
            return sb.ToString();
        }

        private string Alias() => _random.Next(8) switch
        {
            0 => $"u{_random.Next(1, _users.Count + 1)}@example.com",
            1 => $"group:g{_random.Next(3)}",
            2 => "autogroup:member",
            3 => "autogroup:tagged",
            4 => $"10.{_random.Next(4)}.0.0/16",
            _ => Tag(),
        };

        private string Tag() => $"tag:t{_random.Next(5)}";

        private List<IPPrefix> Routes() => _random.Next(4) switch
        {
            0 => [],
            1 => [IPPrefix.Parse("0.0.0.0/0"), IPPrefix.Parse("::/0")],
            _ => [IPPrefix.Parse($"10.{_random.Next(4)}.0.0/16")],
        };

        private PolicyNode NewNode()
        {
            var id = _nextId++;
            var tagged = _random.Next(4) == 0;
            var routes = _random.Next(6) == 0 ? Routes() : [];
            return new PolicyNode(
                id,
                "n" + id.ToString(CultureInfo.InvariantCulture),
                tagged ? null : _random.Next(1, _users.Count + 1),
                tagged ? [Tag()] : [],
                [new IPAddr(false, 0x64400000u + (uint)id), new IPAddr(true, V6Base + (UInt128)id)],
                routes,
                routes);
        }
    }
}
