using Appliance.Policy.HuJson;
using Appliance.Policy.Net;

namespace Appliance.Policy.Model;

/// <summary>An <c>acls</c> destination: <c>alias:ports</c>.</summary>
public sealed record AclDestination(PolicyAlias Alias, IReadOnlyList<PortRange> Ports);

/// <summary>One <c>acls</c> entry (only <c>accept</c> exists).</summary>
public sealed record AclRule(
    HuJsonPosition Position,
    IReadOnlyList<PolicyAlias> Sources,
    IReadOnlyList<AclDestination> Destinations,
    IReadOnlyList<int>? Protocols);

/// <summary>A grant's network capability: protocol numbers (null = TCP, UDP, ICMP) and port ranges.</summary>
public sealed record ProtocolPorts(IReadOnlyList<int>? Protocols, IReadOnlyList<PortRange> Ports);

/// <summary>One <c>grants</c> entry. <see cref="App"/> maps capability name to raw JSON values.</summary>
public sealed record GrantRule(
    HuJsonPosition Position,
    IReadOnlyList<PolicyAlias> Sources,
    IReadOnlyList<PolicyAlias> Destinations,
    IReadOnlyList<ProtocolPorts> Ip,
    IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>>? App,
    IReadOnlyList<string> Via);

/// <summary>One <c>ssh</c> entry.</summary>
public sealed record SshRule(
    HuJsonPosition Position,
    bool Check,
    IReadOnlyList<PolicyAlias> Sources,
    IReadOnlyList<PolicyAlias> Destinations,
    IReadOnlyList<string> Users,
    TimeSpan? CheckPeriod,
    IReadOnlyList<string>? AcceptEnv);

/// <summary>One <c>nodeAttrs</c> entry.</summary>
public sealed record NodeAttrRule(
    HuJsonPosition Position,
    IReadOnlyList<PolicyAlias> Targets,
    IReadOnlyList<string> Attrs,
    IReadOnlyList<IPPrefix> IPPool);

/// <summary>A <c>tests</c> destination: a host alias and one port.</summary>
public sealed record PolicyTestDestination(PolicyAlias Alias, int Port, string Text);

/// <summary>One <c>tests</c> entry: traffic from <see cref="Source"/> must be accepted or denied.</summary>
public sealed record PolicyTest(
    HuJsonPosition Position,
    PolicyAlias Source,
    IReadOnlyList<int>? Protocols,
    IReadOnlyList<PolicyTestDestination> Accept,
    IReadOnlyList<PolicyTestDestination> Deny);

/// <summary>One <c>sshTests</c> entry.</summary>
public sealed record SshPolicyTest(
    HuJsonPosition Position,
    PolicyAlias Source,
    IReadOnlyList<PolicyAlias> Destinations,
    IReadOnlyList<string> Accept,
    IReadOnlyList<string> Check,
    IReadOnlyList<string> Deny);

/// <summary><c>autoApprovers</c>: who may have which routes, and exit-node status, approved automatically.</summary>
public sealed record AutoApproverPolicy(
    IReadOnlyList<KeyValuePair<IPPrefix, IReadOnlyList<PolicyAlias>>> Routes,
    IReadOnlyList<PolicyAlias> ExitNode)
{
    public static readonly AutoApproverPolicy None = new([], []);
}
