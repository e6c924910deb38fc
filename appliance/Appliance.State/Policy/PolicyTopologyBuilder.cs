using Appliance.Policy.Compilation;
using Appliance.Policy.Net;
using Appliance.Protocol.Control;
using Appliance.State.Identity;
using Appliance.State.Nodes;
using Appliance.Storage.Database;

namespace Appliance.State.Policy;

/// <summary>
/// The tailnet as the policy compiler sees it. Users are written in policies by e-mail when they have one, else by
/// name (<c>alice@</c> matches a user named alice). Nodes go in registration order (id), which decides the primary
/// router of a shared route. Advertised routes are Hostinfo.RoutableIPs; approved ones are the operator's.
/// </summary>
public static class PolicyTopologyBuilder
{
    public static PolicyTopology Build(IEnumerable<TailnetUser> users, IEnumerable<(TailnetNode Record, Hostinfo? Hostinfo)> nodes)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(nodes);
        var records = users.OrderBy(u => u.Id).ToList();
        var policyUsers = records.Select(User).ToList();
        var policyNodes = nodes.OrderBy(n => n.Record.Id).Select(n => Node(n.Record, n.Hostinfo)).ToList();
        return new PolicyTopology(policyUsers, policyNodes) { Groups = Groups(records) };
    }

    /// <summary>The identity file's groups as the policy names them: group:NAME → member login names.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Groups(IEnumerable<TailnetUser> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        var groups = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            foreach (var group in user.Groups.IsDefault ? [] : user.Groups)
            {
                if (!groups.TryGetValue("group:" + group, out var members))
                {
                    groups["group:" + group] = members = [];
                }

                members.Add(LoginName(user));
            }
        }

        return groups.ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Value, StringComparer.Ordinal);
    }

    /// <summary>The same, from stored rows only (the CLI without the service): Hostinfo is decoded from each row.</summary>
    public static PolicyTopology FromRecords(IEnumerable<TailnetUser> users, IEnumerable<TailnetNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        return Build(users, nodes.Select(n => (n, Coordinator.ControlCoordinator.ParseHostinfo(n.HostinfoJson))));
    }

    /// <summary>The tailnet as stored in <paramref name="database"/> (the CLI and the admin API with the service stopped).</summary>
    public static PolicyTopology FromDatabase(ApplianceDatabase database) =>
        FromRecords(new Coordinator.SqliteUserDirectory(database).List(), new Coordinator.SqliteNodeRepository(database).LoadAll());

    public static PolicyUser User(TailnetUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new PolicyUser(user.Id, LoginName(user), user.Name)
        {
            Roles = string.IsNullOrEmpty(user.Role) || user.Role == "member"
                ? UserRoles.None
                : new HashSet<string>(StringComparer.Ordinal) { user.Role },
        };
    }

    /// <summary>
    /// How policies name a user: a name with an @ is already a login name (the identity file's <c>alice@site</c>);
    /// otherwise the e-mail when there is one, else the name (<c>alice@</c> matches a user named alice).
    /// </summary>
    public static string LoginName(TailnetUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Name.Contains('@', StringComparison.Ordinal) ? user.Name : user.Email ?? user.Name;
    }

    public static PolicyNode Node(TailnetNode record, Hostinfo? hostinfo)
    {
        ArgumentNullException.ThrowIfNull(record);
        var advertised = Advertised(hostinfo);

        // An approval counts only while the node advertises the route (Tailscale and Headscale serve approved ∩ advertised).
        var approved = record.ApprovedRoutes.IsDefault
            ? []
            : record.ApprovedRoutes.Select(r => new IPPrefix(IPAddr.FromIPAddress(r.BaseAddress), r.PrefixLength).Masked).Where(advertised.Contains).ToList();
        return new PolicyNode(
            record.Id,
            record.GivenName,
            record.UserId,
            record.Tags.IsDefault ? [] : record.Tags,
            new[] { record.IPv4, record.IPv6 }.OfType<System.Net.IPAddress>().Select(IPAddr.FromIPAddress).ToList(),
            advertised,
            approved);
    }

    /// <summary>Hostinfo.RoutableIPs; entries that do not parse are ignored (the validator already refused bad ones).</summary>
    public static IReadOnlyList<IPPrefix> Advertised(Hostinfo? hostinfo) =>
        hostinfo?.RoutableIPs is { } routes
            ? routes.Select(r => IPPrefix.TryParse(r, out var p) ? p : (IPPrefix?)null).OfType<IPPrefix>().Select(p => p.Masked).Distinct().ToList()
            : [];

    /// <summary>True when two nodes look the same to the policy (so a change between them needs no recompile).</summary>
    public static bool SameForPolicy(PolicyNode a, PolicyNode b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Id == b.Id && a.Name == b.Name && a.UserId == b.UserId
            && a.Tags.SequenceEqual(b.Tags) && a.Addresses.SequenceEqual(b.Addresses)
            && a.AdvertisedRoutes.SequenceEqual(b.AdvertisedRoutes) && a.ApprovedRoutes.SequenceEqual(b.ApprovedRoutes);
    }
}
