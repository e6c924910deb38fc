using Appliance.Policy.Model;
using Appliance.Policy.Net;

namespace Appliance.Policy.Compilation;

/// <summary>
/// Resolves aliases to address sets against one topology. Identity aliases (users, groups, tags, autogroups)
/// resolve to node addresses; address aliases (hosts, prefixes) to exactly the literal prefix.
/// Built once per compile; results are cached per alias text.
/// </summary>
internal sealed class AliasResolver
{
    private readonly PolicyDocument _policy;
    private readonly TopologyIndex _topology;
    private readonly Dictionary<string, IPSet> _cache = new(StringComparer.Ordinal);

    public AliasResolver(PolicyDocument policy, TopologyIndex topology)
    {
        _policy = policy;
        _topology = topology;
    }

    public IPSet Resolve(PolicyAlias alias)
    {
        if (_cache.TryGetValue(alias.Text, out var cached))
        {
            return cached;
        }

        var set = alias.Kind switch
        {
            AliasKind.Wildcard => TailscaleRanges.Wildcard,
            AliasKind.Prefix => IPSet.Of(alias.Prefix.Masked.IsSingleIP ? alias.Prefix : alias.Prefix.Masked),
            AliasKind.Host => _policy.Hosts.TryGetValue(alias.Text, out var host) ? IPSet.Of(host.Masked) : IPSet.Empty,
            AliasKind.Tag => NodesSet(_topology.NodesWithTag(alias.Text)),
            AliasKind.User => NodesSet(UserNodes(alias.Text)),
            AliasKind.Group => NodesSet(GroupNodes(alias.Text)),
            AliasKind.AutoGroup => ResolveAutoGroup(alias.Text),
            _ => IPSet.Empty,
        };
        _cache[alias.Text] = set;
        return set;
    }

    public IPSet ResolveAll(IEnumerable<PolicyAlias> aliases) => IPSet.UnionAll(aliases.Select(Resolve));

    /// <summary>Untagged nodes of the users an alias names (for autogroup:self and SSH).</summary>
    public IEnumerable<PolicyNode> UserNodes(string userAlias) =>
        MatchUsers(userAlias).SelectMany(_topology.NodesOfUser);

    public IEnumerable<PolicyNode> GroupNodes(string group) =>
        _policy.Groups.TryGetValue(group, out var members)
            ? members.SelectMany(m => UserNodes(m.Text)).Distinct()
            : [];

    public IEnumerable<PolicyUser> MatchUsers(string userAlias)
    {
        if (userAlias.StartsWith("*@", StringComparison.Ordinal))
        {
            var domain = userAlias[1..];
            return _topology.Users.Where(u => u.LoginName.EndsWith(domain, StringComparison.OrdinalIgnoreCase));
        }

        return _topology.Users.Where(u =>
            string.Equals(u.LoginName, userAlias, StringComparison.OrdinalIgnoreCase)
            || (u.Name.Length > 0 && userAlias == u.Name + "@"));
    }

    private IPSet ResolveAutoGroup(string name) => name switch
    {
        AutoGroups.Member => NodesSet(_topology.Nodes.Where(n => !n.IsTagged)),
        AutoGroups.Tagged => NodesSet(_topology.Nodes.Where(n => n.IsTagged)),
        AutoGroups.Internet => TailscaleRanges.Internet,
        AutoGroups.DangerAll => TailscaleRanges.Everything,
        _ => IPSet.Empty,
    };

    private static IPSet NodesSet(IEnumerable<PolicyNode> nodes) =>
        IPSet.FromPrefixes(nodes.SelectMany(n => n.Addresses).Select(IPPrefix.Host));
}
