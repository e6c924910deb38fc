using Appliance.Policy.Compilation;
using Appliance.Policy.Net;

namespace Appliance.Policy.Tests.Compilation;

public class CompiledPolicyTests
{
    private static readonly PolicyTopology Tailnet = new(
        [new PolicyUser(1, "alice@example.com", "alice"), new PolicyUser(2, "bob@example.com", "bob")],
        [
            Node(1, "alice-laptop", 1, [], "100.64.0.10", "fd7a:115c:a1e0::10"),
            Node(2, "alice-phone", 1, [], "100.64.0.20", "fd7a:115c:a1e0::20"),
            Node(3, "bob-laptop", 2, [], "100.64.0.30", "fd7a:115c:a1e0::30"),
            Node(4, "web", null, ["tag:web"], "100.64.0.40", "fd7a:115c:a1e0::40"),
            Node(5, "router", null, ["tag:router"], "100.64.0.50", "fd7a:115c:a1e0::50", advertised: ["10.1.0.0/16"]),
        ]);

    private const string Policy = """
        {
          "tagOwners": {"tag:web": ["alice@example.com"], "tag:router": ["alice@example.com"]},
          "acls": [
            {"action": "accept", "src": ["autogroup:member"], "dst": ["tag:web:443"]},
            {"action": "accept", "src": ["autogroup:member"], "dst": ["autogroup:self:*"]},
            {"action": "accept", "src": ["bob@example.com"], "dst": ["10.1.0.0/16:*"]},
          ],
          "autoApprovers": {"routes": {"10.0.0.0/8": ["tag:router"]}},
          "ssh": [{"action": "accept", "src": ["autogroup:member"], "dst": ["autogroup:self"], "users": ["autogroup:nonroot"]}],
          "nodeAttrs": [{"target": ["tag:web"], "attr": ["randomize-client-port"]}],
        }
        """;

    private static PolicyNode Node(long id, string name, long? user, string[] tags, string v4, string v6, string[]? advertised = null) =>
        new(id, name, user, tags, [IPAddr.Parse(v4), IPAddr.Parse(v6)],
            (advertised ?? []).Select(IPPrefix.Parse).ToList(), []);

    private static CompiledPolicy Compile()
    {
        var result = CompiledPolicy.Compile(Policy, Tailnet);
        Assert.True(result.Success, string.Join("; ", result.Errors));
        return result.Policy!;
    }

    [Fact]
    public void A_node_receives_only_the_rules_whose_destination_it_is()
    {
        var web = Compile().ForNode(4);

        var rule = Assert.Single(web.PacketFilter);
        Assert.Equal(["100.64.0.10", "100.64.0.20", "100.64.0.30", "fd7a:115c:a1e0::10", "fd7a:115c:a1e0::20", "fd7a:115c:a1e0::30"], rule.SrcIPs.Order());
        Assert.All(rule.DstPorts!, d => Assert.Equal(new PortRangeJson(443, 443), d.Ports));
        Assert.Equal(["100.64.0.40", "fd7a:115c:a1e0::40"], rule.DstPorts!.Select(d => d.IP).Order());
    }

    [Fact]
    public void Autogroup_self_lets_a_user_reach_only_their_own_devices()
    {
        var compiled = Compile();

        var alicePhone = compiled.ForNode(2);
        var selfRule = Assert.Single(alicePhone.PacketFilter);
        Assert.DoesNotContain("100.64.0.30", selfRule.SrcIPs);
        Assert.Contains("100.64.0.10", selfRule.SrcIPs);
        Assert.DoesNotContain(alicePhone.Peers, p => p.NodeId == 3);
        Assert.Contains(alicePhone.Peers, p => p.NodeId == 1);
    }

    [Fact]
    public void Routes_are_auto_approved_and_shown_only_to_peers_allowed_to_use_them()
    {
        var compiled = Compile();

        Assert.Equal([IPPrefix.Parse("10.1.0.0/16")], compiled.ApprovedRoutes(5));
        var bobsRouter = Assert.Single(compiled.ForNode(3).Peers, p => p.NodeId == 5);
        Assert.Contains("10.1.0.0/16", bobsRouter.AllowedIPs);
        Assert.Equal([IPPrefix.Parse("10.1.0.0/16")], bobsRouter.PrimaryRoutes);
        Assert.DoesNotContain(compiled.ForNode(1).Peers, p => p.NodeId == 5);
        var routerRule = Assert.Single(compiled.ForNode(5).PacketFilter);
        Assert.Equal("10.1.0.0/16", Assert.Single(routerRule.DstPorts!).IP);
    }

    [Fact]
    public void Ssh_rules_map_non_root_users_and_never_root()
    {
        var rule = Assert.Single(Compile().ForNode(1).SshRules);

        Assert.Equal("=", rule.SshUsers["*"]);
        Assert.Equal("", rule.SshUsers["root"]);
        Assert.True(rule.Action.Accept);
        Assert.Equal(["100.64.0.10", "100.64.0.20", "fd7a:115c:a1e0::10", "fd7a:115c:a1e0::20"], rule.Principals.Select(p => p.NodeIP).Order());
    }

    [Fact]
    public void Node_attributes_reach_only_their_targets()
    {
        var compiled = Compile();

        Assert.True(compiled.ForNode(4).CapMap.ContainsKey("randomize-client-port"));
        Assert.False(compiled.ForNode(1).CapMap.ContainsKey("randomize-client-port"));
    }

    [Fact]
    public void A_policy_whose_tests_fail_is_rejected_with_the_position_of_the_test()
    {
        var policy = Policy.Replace(
            "\"nodeAttrs\"",
            "\"tests\": [{\"src\": \"alice@example.com\", \"accept\": [\"tag:web:22\"]}],\n  \"nodeAttrs\"",
            StringComparison.Ordinal);

        var result = CompiledPolicy.Compile(policy, Tailnet);

        Assert.False(result.Success);
        var error = Assert.Single(result.Errors);
        Assert.Contains("test(s) failed", error.Message, StringComparison.Ordinal);
        Assert.Equal(10, error.Position.Line);
    }

    [Theory]
    [InlineData("\"accept\": [\"tag:web:443\"], \"deny\": [\"tag:web:22\"]", true)]
    [InlineData("\"accept\": [\"tag:web:22\"]", false)]
    public void Tests_naming_tags_and_users_are_checked_against_the_policy_even_on_an_empty_tailnet(string expectation, bool passes)
    {
        // Tailscale accepts a policy whose tests name identities no device has yet; the rules decide, not the devices.
        var policy = "{\"tagOwners\": {\"tag:web\": [\"alice@example.com\"]}, \"groups\": {\"group:ops\": [\"bob@example.com\"]},"
            + " \"acls\": [{\"action\": \"accept\", \"src\": [\"group:ops\"], \"dst\": [\"tag:web:443\"]}],"
            + " \"tests\": [{\"src\": \"group:ops\", " + expectation + "}]}";

        var result = CompiledPolicy.Compile(policy, new PolicyTopology([], []));

        Assert.True(passes == result.Success, string.Join("; ", result.Errors.Select(e => e.Message)));
        if (!passes)
        {
            Assert.Contains("test(s) failed", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.NotNull(result.Policy);
        }
    }

    [Theory]
    // A tag dst with no device yet: the ssh rule decides (accept for root, check for a listed user, deny otherwise).
    [InlineData("\"dst\": [\"tag:prod\"], \"accept\": [\"root\"], \"deny\": [\"postgres\"]", true)]
    [InlineData("\"dst\": [\"tag:prod\"], \"check\": [\"ubuntu\"]", true)]
    [InlineData("\"dst\": [\"tag:prod\"], \"accept\": [\"postgres\"]", false)]
    [InlineData("\"dst\": [\"tag:prod\"], \"deny\": [\"root\"]", false)]
    [InlineData("\"dst\": [\"tag:prod\"], \"accept\": [\"ubuntu\"]", false)]
    // A user's own device (autogroup:self rule) for a user who has no device yet.
    [InlineData("\"dst\": [\"bob@example.com\"], \"accept\": [\"bob\"]", true)]
    [InlineData("\"dst\": [\"alice@example.com\"], \"accept\": [\"bob\"]", false)]
    public void Ssh_tests_naming_tags_and_users_are_checked_against_the_policy_even_on_an_empty_tailnet(string expectation, bool passes)
    {
        // Before stand-ins, every accept here failed with "sshTests dst matches no node" and every deny passed
        // without being checked; Tailscale evaluates sshTests against the policy's ssh rules whatever has joined.
        var policy = "{\"tagOwners\": {\"tag:prod\": [\"alice@example.com\"]}, \"groups\": {\"group:ops\": [\"bob@example.com\"]},"
            + " \"ssh\": [{\"action\": \"accept\", \"src\": [\"group:ops\"], \"dst\": [\"tag:prod\"], \"users\": [\"root\"]},"
            + "  {\"action\": \"check\", \"src\": [\"group:ops\"], \"dst\": [\"tag:prod\"], \"users\": [\"ubuntu\"]},"
            + "  {\"action\": \"accept\", \"src\": [\"autogroup:member\"], \"dst\": [\"autogroup:self\"], \"users\": [\"autogroup:nonroot\"]}],"
            + " \"sshTests\": [{\"src\": \"group:ops\", " + expectation + "}]}";

        var result = CompiledPolicy.Compile(policy, new PolicyTopology([], []));

        Assert.True(passes == result.Success, string.Join("; ", result.Errors.Select(e => e.Message)));
        if (!passes)
        {
            Assert.All(result.Errors, e => Assert.Contains("test(s) failed: ssh ", e.Message, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Ssh_test_stand_ins_never_reach_the_compiled_policy()
    {
        var policy = "{\"tagOwners\": {\"tag:prod\": [\"alice@example.com\"]},"
            + " \"ssh\": [{\"action\": \"accept\", \"src\": [\"alice@example.com\"], \"dst\": [\"tag:prod\"], \"users\": [\"root\"]}],"
            + " \"sshTests\": [{\"src\": \"alice@example.com\", \"dst\": [\"tag:prod\"], \"accept\": [\"root\"]}]}";

        var result = CompiledPolicy.Compile(policy, Tailnet);

        Assert.True(result.Success, string.Join("; ", result.Errors.Select(e => e.Message)));
        // tag:prod has no device in Tailnet: its stand-in (the next id, 6) existed only while the tests ran.
        Assert.False(result.Policy!.HasNode(6));
        Assert.All(result.Policy.ForNode(1).Peers, p => Assert.InRange(p.NodeId, 1, 5));
    }

    [Fact]
    public void Without_acls_or_grants_everyone_may_reach_everything()
    {
        var result = CompiledPolicy.Compile("{}", Tailnet);

        var rule = Assert.Single(result.Policy!.ForNode(3).PacketFilter);
        Assert.Equal("*", Assert.Single(rule.DstPorts!).IP);
        Assert.Equal(4, result.Policy.ForNode(3).Peers.Count);
    }

    [Fact]
    public void Filter_rules_serialise_with_tailscale_field_names()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(Compile().ForNode(4).PacketFilter);

        Assert.Contains("\"SrcIPs\":", json, StringComparison.Ordinal);
        Assert.Contains("\"DstPorts\":[{\"IP\":", json, StringComparison.Ordinal);
        Assert.Contains("\"Ports\":{\"First\":443,\"Last\":443}", json, StringComparison.Ordinal);
        Assert.DoesNotContain("CapGrant", json, StringComparison.Ordinal);
    }
}
