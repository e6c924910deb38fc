using Appliance.Policy.Net;

namespace Appliance.Policy.Compilation;

/// <summary>A user as the policy sees it: <see cref="LoginName"/> is what policies write (<c>alice@example.com</c>).</summary>
public sealed record PolicyUser(long Id, string LoginName, string Name = "")
{
    /// <summary>
    /// The user's roles, by the name their autogroup uses (<c>owner</c>, <c>admin</c>, <c>network-admin</c>,
    /// <c>it-admin</c>, <c>billing-admin</c>, <c>auditor</c>; see <see cref="UserRoles"/>). Role autogroups such as
    /// <c>autogroup:admin</c> match the devices of users holding that role; a user with no roles is a plain member.
    /// </summary>
    public IReadOnlySet<string> Roles { get; init; } = UserRoles.None;
}

/// <summary>
/// A node as the policy sees it. Tagged nodes belong to no user (<see cref="UserId"/> is ignored when
/// <see cref="Tags"/> is non-empty). <see cref="AdvertisedRoutes"/> is Hostinfo.RoutableIPs;
/// <see cref="ApprovedRoutes"/> are those an admin approved (auto-approval is computed by
/// <see cref="CompiledPolicy.AutoApprovedRoutes"/>).
/// </summary>
public sealed record PolicyNode(
    long Id,
    string Name,
    long? UserId,
    IReadOnlyList<string> Tags,
    IReadOnlyList<IPAddr> Addresses,
    IReadOnlyList<IPPrefix> AdvertisedRoutes,
    IReadOnlyList<IPPrefix> ApprovedRoutes)
{
    public bool IsTagged => Tags.Count > 0;
}

/// <summary>
/// Everything besides the policy text that decides the result. Node order is registration order: unless
/// <see cref="PrimaryRouters"/> names one, the first node (lowest index) approved for a prefix is its primary router.
/// </summary>
public sealed record PolicyTopology(IReadOnlyList<PolicyUser> Users, IReadOnlyList<PolicyNode> Nodes)
{
    /// <summary>
    /// Groups defined outside the policy (the identity file): <c>group:NAME</c> → member login names. A policy may
    /// use them as if its own "groups" section defined them; when both define a group, the members are merged.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Groups { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// The elected primary router (node id) per subnet prefix, from State's failover election. A prefix it names for a
    /// node that serves it goes to that node; any other prefix falls back to its first router in node order.
    /// </summary>
    public IReadOnlyDictionary<IPPrefix, long> PrimaryRouters { get; init; } = new Dictionary<IPPrefix, long>();
}
