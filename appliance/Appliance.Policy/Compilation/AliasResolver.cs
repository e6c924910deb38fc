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
    private readonly Dictionary<string, IReadOnlyList<IPRange>> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<IPRange, string> _text = [];

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

    /// <summary>
    /// An alias as Tailscale writes it in SrcIPs and DstPorts: an alias naming devices (user, group, tag,
    /// member/tagged/role autogroups) lists each device address on its own, even when addresses are adjacent;
    /// an address alias keeps its ranges. Entries of different aliases are never merged (its captured filters
    /// list a tag's addresses beside the "*" ranges that contain them, and adjacent members one by one).
    /// </summary>
    public IReadOnlyList<IPRange> Entries(PolicyAlias alias)
    {
        if (_entries.TryGetValue(alias.Text, out var cached))
        {
            return cached;
        }

        var set = Resolve(alias);
        IReadOnlyList<IPRange> result = NamesDevices(alias) ? Hosts(set) : set.Ranges.ToList();
        _entries[alias.Text] = result;
        return result;
    }

    /// <summary>Every address of a device set as a one-address range, in address order.</summary>
    public static List<IPRange> Hosts(IPSet deviceAddresses)
    {
        var result = new List<IPRange>();
        foreach (var r in deviceAddresses.Ranges)
        {
            for (var a = r.First; ; a++)
            {
                result.Add(new IPRange(r.IsV6, a, a));
                if (a == r.Last)
                {
                    break;
                }
            }
        }

        return result;
    }

    private static int Compare(IPRange a, IPRange b) =>
        a.IsV6 != b.IsV6 ? a.IsV6.CompareTo(b.IsV6) : a.First != b.First ? a.First.CompareTo(b.First) : a.Last.CompareTo(b.Last);

    /// <summary>One alias's entries come out of an IPSet already in order; only mixes of aliases need sorting.</summary>
    private static bool IsSortedAndDistinct(List<IPRange> list)
    {
        for (var i = 1; i < list.Count; i++)
        {
            if (Compare(list[i - 1], list[i]) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    private static bool NamesDevices(PolicyAlias alias) => alias.Kind switch
    {
        AliasKind.Tag or AliasKind.User or AliasKind.Group => true,
        AliasKind.AutoGroup => alias.Text is not (AutoGroups.Internet or AutoGroups.DangerAll),
        _ => false,
    };

    /// <summary>Entries of several aliases, each written once, in address order (IPv4 first).</summary>
    public List<string> EntryStrings(IEnumerable<IPRange> entries)
    {
        var list = entries.ToList();
        if (!IsSortedAndDistinct(list))
        {
            list = list.Distinct().ToList();
            list.Sort(Compare);
        }
        var result = new List<string>(list.Count);
        foreach (var r in list)
        {
            // The same device addresses are written for many aliases; format each once per compile.
            if (!_text.TryGetValue(r, out var text))
            {
                _text[r] = text = r.ToString();
            }

            result.Add(text);
        }

        return result;
    }

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
        _ when UserRoles.FromAutoGroup(name) is { } role => NodesSet(RoleNodes(role)),
        _ => IPSet.Empty,
    };

    /// <summary>Untagged devices of the users holding a role (tagged devices belong to no user).</summary>
    private IEnumerable<PolicyNode> RoleNodes(string role) =>
        _topology.Users.Where(u => u.Roles.Contains(role)).SelectMany(_topology.NodesOfUser);

    private static IPSet NodesSet(IEnumerable<PolicyNode> nodes) =>
        IPSet.FromPrefixes(nodes.SelectMany(n => n.Addresses).Select(IPPrefix.Host));
}
