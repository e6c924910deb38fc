using Appliance.Policy.HuJson;
using Appliance.Policy.Model;

namespace Appliance.Policy.Tests.Model;

public class PolicyParserTests
{
    private static PolicyError SingleError(string policy)
    {
        var result = PolicyParser.Parse(policy);
        Assert.False(result.Success);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void An_unknown_group_is_rejected_at_its_line_and_column()
    {
        var error = SingleError("""
            {
              "acls": [
                {"action": "accept", "src": ["group:nope"], "dst": ["*:*"]}
              ]
            }
            """);

        Assert.Equal(new HuJsonPosition(3, 34), error.Position);
        Assert.Contains("group not found: \"group:nope\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_tag_is_rejected()
    {
        var error = SingleError("""{"acls": [{"action": "accept", "src": ["tag:ghost"], "dst": ["*:*"]}]}""");

        Assert.Contains("tag not found: \"tag:ghost\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_host_is_rejected()
    {
        var error = SingleError("""{"acls": [{"action": "accept", "src": ["*"], "dst": ["nowhere:22"]}]}""");

        Assert.Contains("host not found: \"nowhere\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*:0", "first port must be >0")]
    [InlineData("*:70000", "invalid first integer")]
    [InlineData("*:90-80", "last port must be >= first port")]
    [InlineData("*", "hostport must contain a colon")]
    public void An_invalid_port_is_rejected(string dst, string reason)
    {
        var error = SingleError($$"""{"acls": [{"action": "accept", "src": ["*"], "dst": ["{{dst}}"]}]}""");

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("300.1.1.1")]
    public void An_invalid_host_prefix_is_rejected(string prefix)
    {
        var error = SingleError("{\"hosts\": {\"bad\": \"" + prefix + "\"}}");

        Assert.Contains("invalid IP address or prefix", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deny_is_not_an_acl_action()
    {
        var error = SingleError("""{"acls": [{"action": "deny", "src": ["*"], "dst": ["*:*"]}]}""");

        Assert.Contains("action=\"deny\" is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Autogroup_self_is_not_a_source()
    {
        var error = SingleError("""{"acls": [{"action": "accept", "src": ["autogroup:self"], "dst": ["*:*"]}]}""");

        Assert.Contains("not valid on the src side", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Recursive_groups_are_rejected()
    {
        var error = SingleError("""{"groups": {"group:a": ["group:b"], "group:b": ["x@example.com"]}}""");

        Assert.Contains("group members cannot be recursive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_syntax_error_is_reported_as_a_policy_error_with_position()
    {
        var error = SingleError("{\n  \"acls\": [\n}");

        Assert.Equal(3, error.Position.Line);
    }

    [Fact]
    public void A_valid_policy_keeps_its_sections()
    {
        var result = PolicyParser.Parse("""
            {
              "groups": {"group:eng": ["alice@example.com"]},
              "tagOwners": {"tag:web": ["group:eng"]},
              "hosts": {"corp": "10.0.0.0/8"},
              "acls": [{"action": "accept", "src": ["group:eng"], "dst": ["tag:web:80,443", "corp:*"], "proto": "tcp"}],
              "ssh": [{"action": "check", "src": ["group:eng"], "dst": ["tag:web"], "users": ["root"], "checkPeriod": "2h"}],
            }
            """);

        Assert.True(result.Success, string.Join("; ", result.Errors));
        var acl = Assert.Single(result.Document!.Acls!);
        Assert.Equal([6], acl.Protocols);
        Assert.Equal(2, acl.Destinations[0].Ports.Count);
        Assert.Equal(TimeSpan.FromHours(2), Assert.Single(result.Document.Ssh).CheckPeriod);
    }
}
