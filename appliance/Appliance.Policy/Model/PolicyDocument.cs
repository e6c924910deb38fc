using Appliance.Policy.Net;

namespace Appliance.Policy.Model;

/// <summary>A parsed, validated policy file. Built by <see cref="PolicyParser"/>; immutable.</summary>
public sealed class PolicyDocument
{
    public required IReadOnlyDictionary<string, IReadOnlyList<PolicyAlias>> Groups { get; init; }

    public required IReadOnlyDictionary<string, IPPrefix> Hosts { get; init; }

    public required IReadOnlyDictionary<string, IReadOnlyList<PolicyAlias>> TagOwners { get; init; }

    /// <summary>Null when the file has no <c>acls</c> key (distinct from an empty list).</summary>
    public IReadOnlyList<AclRule>? Acls { get; init; }

    public IReadOnlyList<GrantRule>? Grants { get; init; }

    public IReadOnlyList<SshRule> Ssh { get; init; } = [];

    public IReadOnlyList<NodeAttrRule> NodeAttrs { get; init; } = [];

    public AutoApproverPolicy AutoApprovers { get; init; } = AutoApproverPolicy.None;

    public IReadOnlyList<PolicyTest> Tests { get; init; } = [];

    public IReadOnlyList<SshPolicyTest> SshTests { get; init; } = [];

    public bool RandomizeClientPort { get; init; }

    /// <summary>The policy text it came from.</summary>
    public string Text { get; init; } = "";
}
