using Appliance.Policy.Compilation;
using Appliance.Policy.Model;
using Appliance.Policy.Net;

namespace Appliance.Policy.Tests.Compilation;

/// <summary>
/// Three behaviours of Tailscale's control plane that the held-out captures check (issue 14), each from our own
/// reading of the sources: tailcfg/peercap/peercap.go (which tailscale.com capabilities exist, and which the
/// control plane adds itself), juanfont/headscale hscontrol/policy/v2/types.go (validateCapabilityName,
/// SSHAction and AliasEnc unmarshalling, written against Tailscale's hosted control plane) and compiled.go
/// (compileOneViaGrant / compileViaForNode: a via grant routes IP traffic only).
/// </summary>
public class PolicyFidelityTests
{
    private const string TagOwners = """
        "tagOwners": {"tag:router": ["alice@example.com"], "tag:server": ["alice@example.com"], "tag:other": ["alice@example.com"]}
        """;

    private static PolicyNode Node(long id, long? user, string[] tags, string v4, string v6, string[]? routes = null) =>
        new(id, "n" + id, user, tags, [IPAddr.Parse(v4), IPAddr.Parse(v6)],
            (routes ?? []).Select(IPPrefix.Parse).ToList(), (routes ?? []).Select(IPPrefix.Parse).ToList());

    private static readonly PolicyUser[] People = [new(1, "alice@example.com", "alice"), new(2, "bob@example.com", "bob")];

    // alice's laptop (1), bob's laptop (2), a tagged router for 10.33.0.0/16 (3), a router with another tag (4),
    // a tagged server (5).
    private static PolicyTopology Tailnet() => new(People,
    [
        Node(1, 1, [], "100.64.0.1", "fd7a:115c:a1e0::1"),
        Node(2, 2, [], "100.64.0.2", "fd7a:115c:a1e0::2"),
        Node(3, null, ["tag:router"], "100.64.0.3", "fd7a:115c:a1e0::3", ["10.33.0.0/16"]),
        Node(4, null, ["tag:other"], "100.64.0.4", "fd7a:115c:a1e0::4", ["10.33.0.0/16"]),
        Node(5, null, ["tag:server"], "100.64.0.5", "fd7a:115c:a1e0::5"),
    ]);

    private static CompiledPolicy Compile(string policy)
    {
        var result = CompiledPolicy.Compile(policy, Tailnet());
        Assert.True(result.Success, string.Join("; ", result.Errors));
        return result.Policy!;
    }

    private static long[] PeersOf(CompiledPolicy policy, long node) =>
        [.. policy.ForNode(node).Peers.Select(p => p.NodeId).Order()];

    // ---- (1) capability names in Tailscale's own domain ----

    [Theory]
    [InlineData("tailscale.com/cap/ingress")]       // set by the control plane for Funnel/serve, never by grants
    [InlineData("tailscale.com/cap/drive-sharer")]  // companion of cap/drive, added by the control plane
    [InlineData("tailscale.com/cap/relay-target")]  // companion of cap/relay, added by the control plane
    [InlineData("tailscale.com/cap/file-send")]
    [InlineData("tailscale.com/cap/debug-peer")]
    [InlineData("tailscale.com/cap/wake-on-lan")]
    [InlineData("tailscale.com/cap/funnel-ports")]
    [InlineData("tailscale.com/cap/conn25/example")]
    [InlineData("tailscale.com/anything")]
    public void A_grant_of_a_tailscale_com_capability_outside_the_grantable_ones_is_refused(string capability)
    {
        var result = PolicyParser.Parse("{" + TagOwners + """
            , "grants": [{"src": ["autogroup:member"], "dst": ["tag:server"], "app": {"CAP": [{}]}}]}
            """.Replace("CAP", capability, StringComparison.Ordinal));

        Assert.False(result.Success);
        var error = Assert.Single(result.Errors);
        Assert.Contains("capability name must not be in the tailscale.com domain", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tailscale.com/cap/drive")]
    [InlineData("tailscale.com/cap/relay")]
    [InlineData("tailscale.com/cap/webui")]
    [InlineData("tailscale.com/cap/kubernetes")]
    [InlineData("tailscale.com/cap/tsidp")]
    [InlineData("tailscale.com/cap/secrets")]
    [InlineData("example.com/cap/anything")]
    [InlineData("tailscale.community/cap/x")]
    public void The_grantable_tailscale_com_capabilities_and_other_domains_are_accepted(string capability)
    {
        var result = PolicyParser.Parse("{" + TagOwners + """
            , "grants": [{"src": ["autogroup:member"], "dst": ["tag:server"], "app": {"CAP": [{}]}}]}
            """.Replace("CAP", capability, StringComparison.Ordinal));

        Assert.True(result.Success, string.Join("; ", result.Errors));
    }

    [Fact]
    public void A_url_shaped_tailscale_capability_name_is_refused_as_malformed()
    {
        var result = PolicyParser.Parse("{" + TagOwners + """
            , "grants": [{"src": ["autogroup:member"], "dst": ["tag:server"], "app": {"https://tailscale.com/cap/ingress": [{}]}}]}
            """);

        Assert.False(result.Success);
        Assert.Contains("must have the form {domain}/{path}", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    // ---- (2) app grants routed via tagged routers ----

    [Fact]
    public void An_app_only_grant_via_a_tagged_router_makes_no_peer_visible_and_grants_no_capability()
    {
        var compiled = Compile("{" + TagOwners + """
            , "grants": [{"src": ["alice@example.com"], "dst": ["10.33.0.0/16"], "via": ["tag:router"],
                          "app": {"example.com/cap/subnet-access": [{"level": "admin"}]}}]}
            """);

        // The via path carries IP traffic only: nothing to route, so nobody is shown the router and the router
        // is shown nobody, and no node receives a CapGrant for the capability.
        Assert.Empty(PeersOf(compiled, 1));
        Assert.Empty(PeersOf(compiled, 3));
        Assert.All([1L, 2, 3, 4, 5], n => Assert.DoesNotContain(compiled.ForNode(n).PacketFilter, r => r.CapGrant is not null));
    }

    [Fact]
    public void An_app_and_ip_grant_via_a_tagged_router_shows_the_sources_only_that_router_and_drops_the_capability()
    {
        var compiled = Compile("{" + TagOwners + """
            , "grants": [{"src": ["alice@example.com"], "dst": ["10.33.0.0/16"], "via": ["tag:router"], "ip": ["tcp:80"],
                          "app": {"example.com/cap/subnet-access": [{"level": "admin"}]}}]}
            """);

        // alice sees the router carrying the via tag (with the route), not the other router for the same
        // subnet; the router sees alice; bob, outside the grant, sees neither.
        Assert.Equal([3L], PeersOf(compiled, 1));
        Assert.Equal([1L], PeersOf(compiled, 3));
        Assert.Empty(PeersOf(compiled, 2));
        Assert.Empty(PeersOf(compiled, 4));
        var viaRouter = Assert.Single(compiled.ForNode(1).Peers);
        Assert.Contains(IPPrefix.Parse("10.33.0.0/16"), viaRouter.PrimaryRoutes);

        // The router enforces the IP part for the subnet; the capability is not delivered anywhere.
        var rule = Assert.Single(compiled.ForNode(3).PacketFilter);
        Assert.Null(rule.CapGrant);
        Assert.Equal(["10.33.0.0/16"], rule.DstPorts!.Select(d => d.IP).Distinct());
        Assert.All([1L, 2, 3, 4, 5], n => Assert.DoesNotContain(compiled.ForNode(n).PacketFilter, r => r.CapGrant is not null));
    }

    [Fact]
    public void An_app_grant_via_a_tag_no_router_carries_shows_nobody()
    {
        var compiled = Compile("{" + TagOwners + """
            , "grants": [{"src": ["alice@example.com"], "dst": ["10.33.0.0/16"], "via": ["tag:server"], "ip": ["tcp:80"],
                          "app": {"example.com/cap/subnet-access": [{}]}}]}
            """);

        Assert.Empty(PeersOf(compiled, 1));
        Assert.Empty(PeersOf(compiled, 5));
    }

    // ---- (3) whitespace around SSH rule fields ----

    [Theory]
    [InlineData(" accept", "autogroup:member", "tag:server")]
    [InlineData("accept ", "autogroup:member", "tag:server")]
    [InlineData("\taccept\n", "autogroup:member", "tag:server")]
    [InlineData("accept", " alice@example.com", "tag:server")]
    [InlineData("accept", "autogroup:member ", "tag:server")]
    [InlineData("accept", "alice@example.com", "tag:server ")]
    [InlineData("accept", "alice@example.com", " tag:server")]
    [InlineData(" check ", " autogroup:member ", " tag:server ")]
    public void Leading_or_trailing_whitespace_in_ssh_action_src_and_dst_is_accepted_as_the_trimmed_value(string action, string src, string dst)
    {
        var policy = "{" + TagOwners + """
            , "acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"]}],
              "ssh": [{"action": "ACTION", "src": ["SRC"], "dst": ["DST"], "users": ["root"]}]}
            """.Replace("ACTION", action.Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal), StringComparison.Ordinal)
            .Replace("SRC", src, StringComparison.Ordinal).Replace("DST", dst, StringComparison.Ordinal);
        var trimmed = "{" + TagOwners + """
            , "acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"]}],
              "ssh": [{"action": "ACTION", "src": ["SRC"], "dst": ["DST"], "users": ["root"]}]}
            """.Replace("ACTION", action.Trim(), StringComparison.Ordinal)
            .Replace("SRC", src.Trim(), StringComparison.Ordinal).Replace("DST", dst.Trim(), StringComparison.Ordinal);

        var server = Compile(policy).ForNode(5).SshRules;
        var expected = Compile(trimmed).ForNode(5).SshRules;

        Assert.NotEmpty(server);
        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(expected),
            System.Text.Json.JsonSerializer.Serialize(server));
    }

    [Theory]
    [InlineData("   ")]
    [InlineData("deny")]
    [InlineData(" Accept")]
    public void An_ssh_action_that_is_empty_or_unknown_after_trimming_is_still_refused(string action)
    {
        var result = PolicyParser.Parse("{" + TagOwners + """
            , "ssh": [{"action": "ACTION", "src": ["autogroup:member"], "dst": ["tag:server"], "users": ["root"]}]}
            """.Replace("ACTION", action, StringComparison.Ordinal));

        Assert.False(result.Success);
    }
}
