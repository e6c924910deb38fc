using System.Collections.Immutable;
using System.Net;
using Appliance.Protocol.Control;
using Appliance.State.Coordinator;
using Appliance.State.Policy;

namespace Appliance.State.Tests.Coordinator;

/// <summary>
/// The policy in maps: which peers a node sees, its filter, and which streams a policy or topology change reaches.
/// Nodes a, b, c (and d) get 100.64.0.1, .2, .3 (.4) in registration order; the policies name them as hosts.
/// </summary>
public sealed class PolicyMapTests
{
    private const string Hosts = """
        "hosts": { "host-a": "100.64.0.1", "host-b": "100.64.0.2", "host-c": "100.64.0.3", "host-d": "100.64.0.4" },
        """;

    // a may reach b: a and b see each other, c sees no one.
    private const string AToB = "{" + Hosts + """
        "acls": [ { "action": "accept", "src": ["host-a"], "dst": ["host-b:*"] } ],
        }
        """;

    // ... and c may reach a on port 22: now a also sees c, and a's filter gains c's rule.
    private const string AToBAndCToA = "{" + Hosts + """
        "acls": [
          { "action": "accept", "src": ["host-a"], "dst": ["host-b:*"] },
          { "action": "accept", "src": ["host-c"], "dst": ["host-a:22"] },
        ],
        }
        """;

    private static PolicySource Source(string text) => new(text, "test", null, "");

    private sealed class Tailnet : IAsyncDisposable
    {
        private readonly List<MapStreamHandle> _handles = [];

        public Tailnet(string? policy)
        {
            foreach (var name in new[] { "a", "b", "c" })
            {
                var registered = F.Register(name);
                Ids[name] = F.Coordinator.Snapshot.FindByNodeKey(registered.Node)!.Id;
                Keys[name] = (registered.Machine, registered.Node);
            }

            if (policy is not null)
            {
                Assert.True(F.Coordinator.ApplyPolicy(Source(policy)).Applied);
            }
        }

        public CoordinatorFixture F { get; } = new();

        public Dictionary<string, long> Ids { get; } = [];

        public Dictionary<string, (Protocol.Keys.MachinePublic Machine, Protocol.Keys.NodePublic Node)> Keys { get; } = [];

        public Dictionary<string, StreamProbe> Probes { get; } = [];

        /// <summary>Connects the named nodes and reads each one's full map.</summary>
        public async Task<Dictionary<string, MapResponse>> ConnectAsync(params string[] names)
        {
            var maps = new Dictionary<string, MapResponse>();
            foreach (var name in names)
            {
                var handle = F.Coordinator.Connect(Ids[name], zstd: false);
                _handles.Add(handle);
                Probes[name] = new StreamProbe(handle.Session);
                maps[name] = (await Probes[name].Next(5000))!;
            }

            // Connecting later nodes sent earlier ones online changes (or nothing); drain them.
            foreach (var probe in Probes.Values)
            {
                while (await probe.Next(200) is not null)
                {
                }
            }

            return maps;
        }

        /// <summary>A lite map request from <paramref name="name"/> advertising <paramref name="routes"/> (Hostinfo.RoutableIPs).</summary>
        public void Advertise(string name, params string[] routes)
        {
            var (machine, node) = Keys[name];
            F.Coordinator.ApplyMapRequest(machine, new MapRequest
            {
                Version = 133,
                NodeKey = node,
                Hostinfo = new Hostinfo { Hostname = name, RoutableIPs = routes },
                OmitPeers = true,
            });
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var probe in Probes.Values)
            {
                await probe.DisposeAsync();
            }

            foreach (var handle in _handles)
            {
                handle.Dispose();
            }

            F.Dispose();
        }
    }

    private static List<long> PeerIds(MapResponse map) => [.. (map.Peers ?? []).Select(p => p.ID)];

    [Fact]
    public async Task Each_full_map_has_only_the_peers_and_filter_the_policy_gives_that_node()
    {
        await using var t = new Tailnet(AToB);
        var maps = await t.ConnectAsync("a", "b", "c");

        Assert.Equal([t.Ids["b"]], PeerIds(maps["a"]));
        Assert.Equal([t.Ids["a"]], PeerIds(maps["b"]));
        Assert.Null(maps["c"].Peers);

        // The filter is enforced by the receiver: only b (the destination) carries the rule.
        Assert.Empty(maps["a"].PacketFilters!["base"]!);
        var rule = Assert.Single(maps["b"].PacketFilters!["base"]!);
        Assert.Equal(["100.64.0.1"], rule.SrcIPs);
        Assert.Equal("100.64.0.2", Assert.Single(rule.DstPorts!).IP);
        Assert.Empty(maps["c"].PacketFilters!["base"]!);
        Assert.NotNull(maps["a"].SSHPolicy);
    }

    [Fact]
    public async Task Without_a_policy_every_node_sees_every_peer_with_the_allow_all_filter()
    {
        await using var t = new Tailnet(policy: null);
        var maps = await t.ConnectAsync("a", "c");
        Assert.Equal([t.Ids["b"], t.Ids["c"]], PeerIds(maps["a"]));
        var rule = Assert.Single(maps["c"].PacketFilters!["base"]!);
        Assert.Equal(["*"], rule.SrcIPs);
        Assert.Equal(["*"], rule.DstPorts!.Select(d => d.IP));
        Assert.Null(maps["a"].SSHPolicy);
    }

    [Fact]
    public async Task A_policy_change_pushes_new_peers_and_filters_only_to_the_nodes_it_affects()
    {
        await using var t = new Tailnet(AToB);
        await t.ConnectAsync("a", "b", "c");

        Assert.True(t.F.Coordinator.ApplyPolicy(Source(AToBAndCToA)).Applied);

        var toA = await t.Probes["a"].Next(5000);
        Assert.NotNull(toA);
        Assert.Equal([t.Ids["c"]], toA.PeersChanged!.Select(p => p.ID));
        var rule = Assert.Single(toA.PacketFilters!["base"]!);
        Assert.Equal(["100.64.0.3"], rule.SrcIPs);
        Assert.Equal(new PortRange { First = 22, Last = 22 }, Assert.Single(rule.DstPorts!).Ports);
        Assert.Null(toA.PeersRemoved);

        // c now sees a; its own filter did not change, so none is sent.
        var toC = await t.Probes["c"].Next(5000);
        Assert.NotNull(toC);
        Assert.Equal([t.Ids["a"]], toC.PeersChanged!.Select(p => p.ID));
        Assert.Null(toC.PacketFilters);

        // b's view is the same: nothing at all.
        Assert.Null(await t.Probes["b"].Next(300));

        // Going back removes c from a's map and restores a's empty filter.
        Assert.True(t.F.Coordinator.ApplyPolicy(Source(AToB)).Applied);
        var back = await t.Probes["a"].Next(5000);
        Assert.Equal([t.Ids["c"]], back!.PeersRemoved!);
        Assert.Empty(back.PacketFilters!["base"]!);
        Assert.Equal([t.Ids["a"]], (await t.Probes["c"].Next(5000))!.PeersRemoved!);
        Assert.Null(await t.Probes["b"].Next(300));
    }

    [Fact]
    public async Task Changes_to_a_peer_reach_only_the_nodes_that_may_see_it()
    {
        await using var t = new Tailnet(AToB);
        await t.ConnectAsync("a", "b");

        // c comes online and moves: a and b may not see c, so they hear nothing.
        using var handleC = t.F.Coordinator.Connect(t.Ids["c"], zstd: false);
        var (machine, node) = t.Keys["c"];
        t.F.Coordinator.ApplyMapRequest(machine, new MapRequest { Version = 133, NodeKey = node, Endpoints = ["192.0.2.7:41641"], OmitPeers = true });
        Assert.Null(await t.Probes["a"].Next(300));
        Assert.Null(await t.Probes["b"].Next(300));

        // b moves: a sees b, so a gets the patch.
        var (machineB, nodeB) = t.Keys["b"];
        t.F.Coordinator.ApplyMapRequest(machineB, new MapRequest { Version = 133, NodeKey = nodeB, Endpoints = ["192.0.2.8:41641"], OmitPeers = true });
        var patch = await t.Probes["a"].Next(5000);
        Assert.Equal(t.Ids["b"], Assert.Single(patch!.PeersChangedPatch!).NodeID);
    }

    [Fact]
    public async Task A_node_joining_reaches_only_the_nodes_the_policy_lets_see_it()
    {
        // d (100.64.0.4, registered later) may reach b only.
        var policy = "{" + Hosts + """
            "acls": [
              { "action": "accept", "src": ["host-a"], "dst": ["host-b:*"] },
              { "action": "accept", "src": ["host-d"], "dst": ["host-b:80"] },
            ],
            }
            """;
        await using var t = new Tailnet(policy);
        await t.ConnectAsync("a", "b", "c");

        var d = t.F.Register("d");
        var dId = t.F.Coordinator.Snapshot.FindByNodeKey(d.Node)!.Id;

        var toB = await t.Probes["b"].Next(5000);
        Assert.Equal([dId], toB!.PeersChanged!.Select(p => p.ID));

        // Hosts are fixed addresses, so b's filter already allowed 100.64.0.4 and is not resent.
        Assert.Null(toB.PacketFilters);
        Assert.Null(await t.Probes["a"].Next(300));
        Assert.Null(await t.Probes["c"].Next(300));
    }

    [Fact]
    public void A_policy_that_does_not_compile_is_refused_with_a_position_and_the_old_one_stays()
    {
        using var f = new CoordinatorFixture();
        f.Register("a");
        Assert.True(f.Coordinator.ApplyPolicy(Source(AToB)).Applied);
        var live = f.Coordinator.Snapshot.Policy;

        var bad = f.Coordinator.ApplyPolicy(Source("""
            {
              "acls": [ { "action": "accept", "src": ["tag:nope"], "dst": ["*:*"] } ],
            }
            """));

        Assert.False(bad.Applied);
        var error = Assert.Single(bad.Errors);
        Assert.Equal(2, error.Position.Line);
        Assert.Contains("tag:nope", error.Message, StringComparison.Ordinal);
        Assert.Same(live, f.Coordinator.Snapshot.Policy);
    }

    [Fact]
    public async Task Advertised_routes_are_served_only_once_approved()
    {
        await using var t = new Tailnet(policy: null);
        await t.ConnectAsync("a");
        t.Advertise("b", "10.0.0.0/24");
        var advertised = await t.Probes["a"].Next(5000);
        var b = Assert.Single(advertised!.PeersChanged!);
        Assert.DoesNotContain("10.0.0.0/24", b.AllowedIPs!);

        Assert.True(t.F.Coordinator.ApproveNodeRoutes(t.Ids["b"], ["10.0.0.0/24", "10.9.0.0/16"]).IsOk);
        var approved = await t.Probes["a"].Next(5000);
        b = Assert.Single(approved!.PeersChanged!);
        Assert.Equal(["100.64.0.2/32", "fd7a:115c:a1e0::2/128", "10.0.0.0/24"], b.AllowedIPs);
        Assert.Equal(["10.0.0.0/24"], b.PrimaryRoutes);
    }

    [Fact]
    public async Task AutoApprovers_serve_an_advertised_route_to_the_nodes_that_may_use_it()
    {
        var policy = "{" + Hosts + """
            "autoApprovers": { "routes": { "10.0.0.0/8": ["host-b"] } },
            "acls": [ { "action": "accept", "src": ["host-a"], "dst": ["10.0.0.0/8:*", "host-b:*"] } ],
            }
            """;
        await using var t = new Tailnet(policy);
        await t.ConnectAsync("a", "c");
        t.Advertise("b", "10.1.0.0/16");

        var toA = await t.Probes["a"].Next(5000);
        var b = Assert.Single(toA!.PeersChanged!);
        Assert.Contains("10.1.0.0/16", b.AllowedIPs!);
        Assert.Equal(["10.1.0.0/16"], b.PrimaryRoutes);
        Assert.Null(await t.Probes["c"].Next(300));
    }

    [Fact]
    public async Task Ssh_rules_and_node_attributes_reach_the_node_they_target_and_an_ssh_change_only_that_node()
    {
        static string Policy(string user) => """
            {
              "tagOwners": { "tag:server": [] },
              "acls": [ { "action": "accept", "src": ["*"], "dst": ["*:*"] } ],
              "ssh": [ { "action": "accept", "src": ["autogroup:member"], "dst": ["tag:server"], "users": ["USER"] } ],
              "nodeAttrs": [ { "target": ["tag:server"], "attr": ["randomize-client-port"] } ],
            }
            """.Replace("USER", user, StringComparison.Ordinal);

        await using var t = new Tailnet(policy: null);
        var server = t.F.Register("srv", "tagged");
        t.Ids["srv"] = t.F.Coordinator.Snapshot.FindByNodeKey(server.Node)!.Id;
        Assert.True(t.F.Coordinator.ApplyPolicy(Source(Policy("root"))).Applied);
        var maps = await t.ConnectAsync("a", "srv");

        var rule = Assert.Single(maps["srv"].SSHPolicy!.Rules);
        // autogroup:member: the user-owned devices a, b, c (not the tagged server itself), by every address.
        Assert.Equal(
            ["100.64.0.1", "100.64.0.2", "100.64.0.3", "fd7a:115c:a1e0::1", "fd7a:115c:a1e0::2", "fd7a:115c:a1e0::3"],
            rule.Principals!.Select(p => p.NodeIP).Order(StringComparer.Ordinal));
        Assert.Equal("root", rule.SshUsers!["root"]);
        Assert.Empty(maps["a"].SSHPolicy!.Rules);
        Assert.Contains("randomize-client-port", maps["srv"].Node!.CapMap!.Keys);
        Assert.Contains("https://tailscale.com/cap/ssh", maps["srv"].Node!.CapMap!.Keys);
        Assert.DoesNotContain("randomize-client-port", maps["a"].Node!.CapMap!.Keys);

        Assert.True(t.F.Coordinator.ApplyPolicy(Source(Policy("ubuntu"))).Applied);
        var toServer = await t.Probes["srv"].Next(5000);
        Assert.Equal("ubuntu", Assert.Single(toServer!.SSHPolicy!.Rules).SshUsers!["ubuntu"]);
        Assert.Null(toServer.PacketFilters);
        Assert.Null(toServer.PeersChanged);
        Assert.Null(await t.Probes["a"].Next(300));
    }

    [Fact]
    public async Task Clearing_the_policy_gives_every_node_every_peer_and_the_allow_all_filter_again()
    {
        await using var t = new Tailnet(AToB);
        await t.ConnectAsync("a", "c");

        Assert.True(t.F.Coordinator.ApplyPolicy(null).Applied);

        var toC = await t.Probes["c"].Next(5000);
        Assert.Equal([t.Ids["a"], t.Ids["b"]], toC!.PeersChanged!.Select(p => p.ID));
        Assert.Equal(["*"], Assert.Single(toC.PacketFilters!["base"]!).SrcIPs);
        Assert.Empty(toC.SSHPolicy!.Rules);
        var toA = await t.Probes["a"].Next(5000);
        Assert.Equal([t.Ids["c"]], toA!.PeersChanged!.Where(p => p.ID == t.Ids["c"]).Select(p => p.ID));
    }

    [Fact]
    public async Task Under_a_policy_an_approved_route_the_node_no_longer_advertises_is_not_served()
    {
        var policy = "{" + Hosts + """
            "acls": [ { "action": "accept", "src": ["host-a"], "dst": ["*:*"] } ],
            }
            """;
        await using var t = new Tailnet(policy);
        Assert.True(t.F.Coordinator.ApproveNodeRoutes(t.Ids["b"], ["10.0.0.0/24"]).IsOk);
        var maps = await t.ConnectAsync("a");
        Assert.Equal(["100.64.0.2/32", "fd7a:115c:a1e0::2/128"], maps["a"].Peers!.Single(p => p.ID == t.Ids["b"]).AllowedIPs);

        t.Advertise("b", "10.0.0.0/24");
        var served = await t.Probes["a"].Next(5000);
        Assert.Contains("10.0.0.0/24", Assert.Single(served!.PeersChanged!).AllowedIPs!);
    }

    // Everyone may reach everyone; a is IPv6-only.
    private const string AllWithAIPv6Only = "{" + Hosts + """
        "acls": [ { "action": "accept", "src": ["*"], "dst": ["*:*"] } ],
        "nodeAttrs": [ { "target": ["host-a"], "attr": ["disable-ipv4"] } ],
        }
        """;

    private const string All = "{" + Hosts + """
        "acls": [ { "action": "accept", "src": ["*"], "dst": ["*:*"] } ],
        }
        """;

    private static Node PeerOf(MapResponse map, long id) => (map.Peers ?? map.PeersChanged ?? []).Single(p => p.ID == id);

    [Fact]
    public async Task Disable_ipv4_gives_the_node_an_ipv6_only_self_and_peers_and_shows_it_ipv6_only_to_others()
    {
        await using var t = new Tailnet(AllWithAIPv6Only);
        var maps = await t.ConnectAsync("a", "b");

        // a itself: only its IPv6 address, in Addresses and AllowedIPs (Tailscale's SelfNode for disable-ipv4).
        Assert.Equal(["fd7a:115c:a1e0::1/128"], maps["a"].Node!.Addresses);
        Assert.Equal(["fd7a:115c:a1e0::1/128"], maps["a"].Node!.AllowedIPs);
        Assert.Contains("disable-ipv4", maps["a"].Node!.CapMap!.Keys);

        // a's peers: without their IPv4 addresses.
        Assert.Equal(["fd7a:115c:a1e0::2/128"], PeerOf(maps["a"], t.Ids["b"]).Addresses);
        Assert.Equal(["fd7a:115c:a1e0::2/128"], PeerOf(maps["a"], t.Ids["b"]).AllowedIPs);
        Assert.Equal(["fd7a:115c:a1e0::3/128"], PeerOf(maps["a"], t.Ids["c"]).Addresses);

        // b sees a as IPv6-only, but keeps its own and c's IPv4 addresses; b is sent c's shared Node, not a copy.
        var aSeenByB = PeerOf(maps["b"], t.Ids["a"]);
        Assert.Equal(["fd7a:115c:a1e0::1/128"], aSeenByB.Addresses);
        Assert.Equal(["fd7a:115c:a1e0::1/128"], aSeenByB.AllowedIPs);
        Assert.Equal(["100.64.0.2/32", "fd7a:115c:a1e0::2/128"], maps["b"].Node!.Addresses);
        Assert.Equal(["100.64.0.2/32", "fd7a:115c:a1e0::2/128"], maps["b"].Node!.AllowedIPs);
        Assert.Equal(["100.64.0.3/32", "fd7a:115c:a1e0::3/128"], PeerOf(maps["b"], t.Ids["c"]).Addresses);
        var snapshot = t.F.Coordinator.Snapshot;
        var cWire = snapshot.Find(t.Ids["c"])!.Wire;
        Assert.Same(cWire, snapshot.Policy.ViewOf(t.Ids["b"])!.Peers[t.Ids["c"]].ApplyTo(cWire));
        Assert.Null(snapshot.Policy.ViewOf(t.Ids["b"])!.Addresses);

        // The IPv4 address a no longer has is in no rule b enforces.
        Assert.DoesNotContain("100.64.0.1", maps["b"].PacketFilters!["base"]!.SelectMany(r => r.SrcIPs!));
    }

    [Fact]
    public async Task Adding_and_removing_disable_ipv4_resends_the_node_itself_and_its_peers_with_the_right_addresses()
    {
        await using var t = new Tailnet(All);
        var maps = await t.ConnectAsync("a", "b");
        Assert.Equal(["100.64.0.1/32", "fd7a:115c:a1e0::1/128"], PeerOf(maps["b"], t.Ids["a"]).Addresses);

        Assert.True(t.F.Coordinator.ApplyPolicy(Source(AllWithAIPv6Only)).Applied);
        var toA = await t.Probes["a"].Next(5000);
        Assert.Equal(["fd7a:115c:a1e0::1/128"], toA!.Node!.Addresses);
        Assert.Equal(["fd7a:115c:a1e0::1/128"], toA.Node!.AllowedIPs);
        Assert.Equal(["fd7a:115c:a1e0::2/128"], PeerOf(toA, t.Ids["b"]).Addresses);
        Assert.Equal(["fd7a:115c:a1e0::3/128"], PeerOf(toA, t.Ids["c"]).Addresses);
        var toB = await t.Probes["b"].Next(5000);
        Assert.Null(toB!.Node);
        Assert.Equal(["fd7a:115c:a1e0::1/128"], Assert.Single(toB.PeersChanged!).Addresses);

        // A change to a while the policy holds still shows it IPv6-only.
        var (machine, node) = t.Keys["a"];
        t.F.Coordinator.ApplyMapRequest(machine, new MapRequest
        {
            Version = 133,
            NodeKey = node,
            Hostinfo = new Hostinfo { Hostname = "a2" },
            OmitPeers = true,
        });
        var changed = await t.Probes["b"].Next(5000);
        Assert.Equal(["fd7a:115c:a1e0::1/128"], Assert.Single(changed!.PeersChanged!).Addresses);
        var self = await t.Probes["a"].Next(5000);
        Assert.Equal(["fd7a:115c:a1e0::1/128"], self!.Node!.Addresses);

        // Back without the attribute: a gets its IPv4 address again, and b sees it.
        Assert.True(t.F.Coordinator.ApplyPolicy(Source(All)).Applied);
        var back = await t.Probes["a"].Next(5000);
        Assert.Equal(["100.64.0.1/32", "fd7a:115c:a1e0::1/128"], back!.Node!.Addresses);
        Assert.Equal(["100.64.0.2/32", "fd7a:115c:a1e0::2/128"], PeerOf(back, t.Ids["b"]).Addresses);
        var backB = await t.Probes["b"].Next(5000);
        Assert.Equal(["100.64.0.1/32", "fd7a:115c:a1e0::1/128"], Assert.Single(backB!.PeersChanged!).Addresses);
    }
}
