using Appliance.Policy.Compilation;
using Appliance.Policy.Net;

namespace Appliance.Policy.Tests.Compilation;

/// <summary>
/// The rules the captured Tailscale scenarios pinned down (docs/policy-compat.md, "Semantics the scenarios
/// pinned down"), each on a small tailnet of its own.
/// </summary>
public class PolicySemanticsTests
{
    private const string TagOwners = """
        "tagOwners": {"tag:router": ["alice@example.com"], "tag:web": ["alice@example.com"], "tag:a": ["alice@example.com"], "tag:b": ["alice@example.com"], "tag:client": ["alice@example.com"]}
        """;

    private static PolicyNode Node(long id, long? user, string[] tags, string v4, string v6, string[]? approved = null) =>
        new(id, "n" + id, user, tags, [IPAddr.Parse(v4), IPAddr.Parse(v6)],
            (approved ?? []).Select(IPPrefix.Parse).ToList(), (approved ?? []).Select(IPPrefix.Parse).ToList());

    private static CompiledPolicy Compile(string policy, PolicyTopology topology)
    {
        var result = CompiledPolicy.Compile(policy, topology);
        Assert.True(result.Success, string.Join("; ", result.Errors));
        return result.Policy!;
    }

    private static PolicyTopology Users(PolicyUser[] users, params PolicyNode[] nodes) => new(users, nodes);

    [Fact]
    public void Role_autogroups_match_the_devices_of_users_holding_the_role_and_nobody_otherwise()
    {
        PolicyUser[] users =
        [
            new(1, "alice@example.com", "alice") { Roles = new HashSet<string> { UserRoles.Owner, UserRoles.Admin } },
            new(2, "bob@example.com", "bob") { Roles = new HashSet<string> { UserRoles.Admin } },
            new(3, "carol@example.com", "carol"),
        ];
        var topology = Users(users,
            Node(1, 1, [], "100.64.0.1", "fd7a:115c:a1e0::1"),
            Node(2, 2, [], "100.64.0.2", "fd7a:115c:a1e0::2"),
            Node(3, 3, [], "100.64.0.3", "fd7a:115c:a1e0::3"),
            Node(4, 1, ["tag:web"], "100.64.0.4", "fd7a:115c:a1e0::4"));
        var policy = "{" + TagOwners + """
            , "nodeAttrs": [
                {"target": ["autogroup:admin"], "attr": ["randomize-client-port"]},
                {"target": ["autogroup:owner"], "attr": ["magicdns-aaaa"]},
                {"target": ["autogroup:auditor"], "attr": ["nextdns:abc"]},
              ]}
            """;

        var compiled = Compile(policy, topology);

        Assert.Equal(["magicdns-aaaa", "randomize-client-port"], compiled.ForNode(1).CapMap.Keys.Order());
        Assert.Equal(["randomize-client-port"], compiled.ForNode(2).CapMap.Keys);
        Assert.Empty(compiled.ForNode(3).CapMap);

        // A tagged device belongs to no user, so its registering user's roles do not reach it.
        Assert.Empty(compiled.ForNode(4).CapMap);
    }

    [Fact]
    public void Adjacent_device_addresses_are_written_one_by_one_and_a_prefix_alias_keeps_its_prefix()
    {
        PolicyUser[] users = [new(1, "alice@example.com", "alice"), new(2, "bob@example.com", "bob")];
        var topology = Users(users,
            Node(1, 1, [], "100.64.0.15", "fd7a:115c:a1e0::f"),
            Node(2, 2, [], "100.64.0.16", "fd7a:115c:a1e0::10"),
            Node(3, null, ["tag:web"], "100.64.0.30", "fd7a:115c:a1e0::30"));
        var policy = "{" + TagOwners + """
            , "groups": {"group:dev": ["alice@example.com", "bob@example.com"]},
              "acls": [{"action": "accept", "src": ["group:dev", "10.0.0.0/8"], "dst": ["tag:web:443"]}]}
            """;

        var rule = Assert.Single(Compile(policy, topology).ForNode(3).PacketFilter);

        Assert.Equal(["10.0.0.0/8", "100.64.0.15", "100.64.0.16", "fd7a:115c:a1e0::10", "fd7a:115c:a1e0::f"], rule.SrcIPs.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Disable_ipv4_leaves_the_node_ipv6_only_for_itself_its_peers_and_every_rule()
    {
        PolicyUser[] users = [new(1, "alice@example.com", "alice")];
        var topology = Users(users,
            Node(1, 1, [], "100.64.0.1", "fd7a:115c:a1e0::1"),
            Node(2, null, ["tag:router"], "100.64.0.2", "fd7a:115c:a1e0::2", ["10.33.0.0/16"]));
        var policy = "{" + TagOwners + """
            , "acls": [{"action": "accept", "src": ["alice@example.com", "tag:router"], "dst": ["*:*"]}],
              "nodeAttrs": [{"target": ["tag:router"], "attr": ["disable-ipv4"]}]}
            """;

        var compiled = Compile(policy, topology);
        var router = compiled.ForNode(2);
        var laptop = compiled.ForNode(1);

        Assert.Contains("disable-ipv4", router.CapMap.Keys);
        Assert.Equal([IPAddr.Parse("fd7a:115c:a1e0::2")], router.Addresses);
        Assert.Equal(["fd7a:115c:a1e0::2/128", "10.33.0.0/16"], router.AllowedIPs);
        var routerSeen = Assert.Single(laptop.Peers);
        Assert.Equal(["10.33.0.0/16", "fd7a:115c:a1e0::2/128"], routerSeen.AllowedIPs.Order(StringComparer.Ordinal));

        // The router has no IPv4 address, so it is shown its peers without theirs either.
        Assert.Equal(["fd7a:115c:a1e0::1/128"], Assert.Single(router.Peers).AllowedIPs);
        Assert.Equal([IPAddr.Parse("fd7a:115c:a1e0::1")], Assert.Single(router.Peers).Addresses);
        Assert.Equal([IPAddr.Parse("fd7a:115c:a1e0::2")], routerSeen.Addresses);
        Assert.DoesNotContain("100.64.0.2", laptop.PacketFilter.SelectMany(r => r.SrcIPs));
        Assert.Equal(2, laptop.Addresses.Count);
    }

    [Fact]
    public void A_via_grant_makes_its_router_the_clients_primary_unless_an_ordinary_grant_reaches_the_elected_one()
    {
        PolicyUser[] users = [new(1, "alice@example.com", "alice")];
        var topology = Users(users,
            Node(1, null, ["tag:router", "tag:a"], "100.64.0.1", "fd7a:115c:a1e0::1", ["10.44.0.0/16"]),
            Node(2, null, ["tag:router", "tag:b"], "100.64.0.2", "fd7a:115c:a1e0::2", ["10.44.0.0/16"]),
            Node(3, null, ["tag:client"], "100.64.0.3", "fd7a:115c:a1e0::3"),
            Node(4, null, ["tag:web"], "100.64.0.4", "fd7a:115c:a1e0::4"));
        var policy = "{" + TagOwners + """
            , "grants": [
                {"src": ["tag:client", "tag:web"], "dst": ["tag:router"], "ip": ["*"]},
                {"src": ["tag:client", "tag:web"], "dst": ["10.44.0.0/16"], "ip": ["*"], "via": ["tag:b"]},
                {"src": ["tag:web"], "dst": ["10.44.0.0/16"], "ip": ["*"]},
              ]}
            """;

        var compiled = Compile(policy, topology);

        // Node 1 registered first, so it is the elected primary; the client reaches the route only via tag:b.
        var client = compiled.ForNode(3).Peers.ToDictionary(p => p.NodeId);
        Assert.Equal([IPPrefix.Parse("10.44.0.0/16")], client[2].PrimaryRoutes);
        Assert.Empty(client[1].PrimaryRoutes);

        var web = compiled.ForNode(4).Peers.ToDictionary(p => p.NodeId);
        Assert.Equal([IPPrefix.Parse("10.44.0.0/16")], web[1].PrimaryRoutes);
        Assert.Empty(web[2].PrimaryRoutes);
        Assert.Equal([IPPrefix.Parse("10.44.0.0/16")], compiled.ForNode(1).PrimaryRoutes);
    }

    [Theory]
    [InlineData("100.64.0.2/32:22")]
    [InlineData("internal:22")]
    [InlineData("autogroup:internet:443")]
    public void A_test_destination_must_be_one_host(string destination)
    {
        PolicyUser[] users = [new(1, "alice@example.com", "alice")];
        var topology = Users(users,
            Node(1, null, ["tag:client"], "100.64.0.1", "fd7a:115c:a1e0::1"),
            Node(2, null, ["tag:web"], "100.64.0.2", "fd7a:115c:a1e0::2"));
        var policy = "{" + TagOwners + """
            , "hosts": {"internal": "10.0.0.0/8", "one": "100.64.0.2"},
              "acls": [{"action": "accept", "src": ["tag:client"], "dst": ["*:*", "autogroup:internet:*"]}],
              "tests": [{"src": "tag:client", "accept": ["one:22", "DST"]}]}
            """.Replace("DST", destination, StringComparison.Ordinal);

        var result = CompiledPolicy.Compile(policy, topology);

        Assert.False(result.Success);
        Assert.Contains(result.Errors, e => e.Message.Contains(destination, StringComparison.Ordinal));
        Assert.True(CompiledPolicy.Compile(policy.Replace(", \"" + destination + "\"", "", StringComparison.Ordinal), topology).Success);
    }

    [Fact]
    public void Autogroup_self_as_a_test_destination_means_the_source_users_own_devices()
    {
        PolicyUser[] users = [new(1, "alice@example.com", "alice"), new(2, "bob@example.com", "bob")];
        var topology = Users(users,
            Node(1, 1, [], "100.64.0.1", "fd7a:115c:a1e0::1"),
            Node(2, 1, [], "100.64.0.2", "fd7a:115c:a1e0::2"),
            Node(3, 2, [], "100.64.0.3", "fd7a:115c:a1e0::3"),
            Node(4, null, ["tag:client"], "100.64.0.4", "fd7a:115c:a1e0::4"));
        const string Rules = """{"acls": [{"action": "accept", "src": ["alice@example.com"], "dst": ["autogroup:self:22"]}], "tagOwners": {"tag:client": ["alice@example.com"]}, "tests": [TEST]}""";

        Assert.True(CompiledPolicy.Compile(Rules.Replace("TEST", """{"src": "alice@example.com", "accept": ["autogroup:self:22"]}""", StringComparison.Ordinal), topology).Success);
        Assert.False(CompiledPolicy.Compile(Rules.Replace("TEST", """{"src": "alice@example.com", "deny": ["autogroup:self:22"]}""", StringComparison.Ordinal), topology).Success);
        Assert.False(CompiledPolicy.Compile(Rules.Replace("TEST", """{"src": "bob@example.com", "accept": ["autogroup:self:22"]}""", StringComparison.Ordinal), topology).Success);

        // A tagged source owns no devices, so there is no "self" for it to reach.
        Assert.False(CompiledPolicy.Compile(Rules.Replace("TEST", """{"src": "tag:client", "accept": ["autogroup:self:22"]}""", StringComparison.Ordinal), topology).Success);
    }
}
