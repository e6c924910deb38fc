using System.Text.Json;
using Appliance.Policy.Model;
using Appliance.Policy.Net;

namespace Appliance.Policy.Compilation;

/// <summary>
/// Turns <c>acls</c> and <c>grants</c> into topology-resolved <see cref="CompiledRule"/>s, once per compile.
/// An ACL entry is a grant with one network capability (its proto and each destination's ports).
/// autogroup:self destinations expand per user here, so every rule is global and a node's filter is a
/// reduction of the shared list.
/// </summary>
internal sealed class RuleCompiler
{
    // Capabilities whose holders get a companion capability in the reverse direction (tailcfg
    // PeerCapabilityTaildrive → PeerCapabilityTaildriveSharer, PeerCapabilityRelay → PeerCapabilityRelayTarget).
    private static readonly (string Original, string Companion)[] Companions =
    [
        ("tailscale.com/cap/drive", "tailscale.com/cap/drive-sharer"),
        ("tailscale.com/cap/relay", "tailscale.com/cap/relay-target"),
    ];

    private readonly AliasResolver _resolver;
    private readonly TopologyIndex _topology;
    private readonly List<CompiledRule> _rules = [];
    private readonly Dictionary<string, List<(string, IPSet)>> _pieces = new(StringComparer.Ordinal);
    private readonly Dictionary<long, (IPSet, IReadOnlyList<string>, List<(string, IPSet)>)> _devices = [];
    private readonly Dictionary<string, (IPSet, IPSet, IReadOnlyList<string>)> _sources = new(StringComparer.Ordinal);

    public RuleCompiler(AliasResolver resolver, TopologyIndex topology)
    {
        _resolver = resolver;
        _topology = topology;
    }

    public List<CompiledRule> Compile(PolicyDocument policy)
    {
        if (policy.Acls is null && policy.Grants is null)
        {
            // No acls and no grants: Tailscale's default policy, everyone may reach everything.
            var any = new PolicyAlias(AliasKind.Wildcard, "*", default);
            AddGrant([any], [any], [new ProtocolPorts(null, [PortRange.Any])], null, []);
        }

        foreach (var acl in policy.Acls ?? [])
        {
            foreach (var dst in acl.Destinations)
            {
                AddGrant(acl.Sources, [dst.Alias], [new ProtocolPorts(acl.Protocols, dst.Ports)], null, []);
            }
        }

        foreach (var grant in policy.Grants ?? [])
        {
            AddGrant(grant.Sources, grant.Destinations, grant.Ip, grant.App, grant.Via);
        }

        return _rules;
    }

    private void AddGrant(
        IReadOnlyList<PolicyAlias> sources,
        IReadOnlyList<PolicyAlias> destinations,
        IReadOnlyList<ProtocolPorts> ip,
        IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>>? app,
        IReadOnlyList<string> via)
    {
        if (sources.Count == 0 || destinations.Count == 0)
        {
            return;
        }

        var (resolvedSrc, srcSet, srcStrings) = Sources(sources);
        var capMap = app is { Count: > 0 } ? ToCapMap(app) : null;

        if (via.Count > 0)
        {
            AddVia(srcSet, srcStrings, destinations, ip, via);
            return;
        }

        var others = destinations.Where(d => !d.IsAutoGroup(AutoGroups.Self)).ToList();
        if (others.Count > 0)
        {
            if (!srcSet.IsEmpty)
            {
                foreach (var pp in ip)
                {
                    var dsts = new List<DstEntry>();
                    foreach (var d in others)
                    {
                        AppendDsts(dsts, d, pp.Ports);
                    }

                    if (dsts.Count > 0)
                    {
                        _rules.Add(new CompiledRule { SrcStrings = srcStrings, Src = srcSet, Dsts = dsts, Proto = pp.Protocols });
                    }
                }
            }

            if (capMap is not null)
            {
                var caps = others.Select(d => new CapEntry(_resolver.Resolve(d), capMap)).ToList();
                _rules.Add(new CompiledRule { SrcStrings = srcStrings, Src = srcSet, Caps = caps });
                // The companion flows the other way: the grant's destinations are its sources.
                var companionSrc = _resolver.EntryStrings(SourceEntries(others));
                AddCompanions(capMap, companionSrc, IPSet.UnionAll(others.Select(_resolver.Resolve)), resolvedSrc);
            }
        }

        if (destinations.Any(d => d.IsAutoGroup(AutoGroups.Self)))
        {
            AddSelf(srcSet, ip, capMap);
        }
    }

    /// <summary>
    /// A source list resolved once per compile: policies repeat the same sources across many rules, and rules
    /// sharing one set (and one SrcIPs list) let <see cref="CompiledPolicy"/> index them once.
    /// <c>Resolved</c> is the aliases' addresses; <c>Set</c> adds, for "*", every approved subnet route
    /// (traffic from behind subnet routers).
    /// </summary>
    private (IPSet Resolved, IPSet Set, IReadOnlyList<string> Strings) Sources(IReadOnlyList<PolicyAlias> sources)
    {
        var key = string.Join("\n", sources.Select(s => s.Text));
        if (_sources.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var resolved = _resolver.ResolveAll(sources);
        var set = sources.Any(s => s.Kind == AliasKind.Wildcard)
            ? resolved.Union(IPSet.FromPrefixes(_topology.AllSubnetRoutes()))
            : resolved;
        var result = (resolved, set, (IReadOnlyList<string>)SourceStrings(sources));
        _sources[key] = result;
        return result;
    }

    /// <summary>
    /// SrcIPs as Tailscale writes them: each source's entries (<see cref="AliasResolver.Entries"/>), written
    /// once; "*" is the Tailscale ranges plus every approved subnet route; autogroup:danger-all is just "*".
    /// </summary>
    private List<string> SourceStrings(IReadOnlyList<PolicyAlias> sources)
    {
        if (sources.Any(s => s.IsAutoGroup(AutoGroups.DangerAll)))
        {
            return ["*"];
        }

        return _resolver.EntryStrings(SourceEntries(sources));
    }

    private IEnumerable<IPRange> SourceEntries(IReadOnlyList<PolicyAlias> aliases)
    {
        foreach (var s in aliases)
        {
            if (s.Kind == AliasKind.Wildcard)
            {
                foreach (var r in TailscaleRanges.Wildcard.Ranges)
                {
                    yield return r;
                }

                foreach (var route in _topology.AllSubnetRoutes())
                {
                    yield return IPRange.FromPrefix(route.Masked);
                }

                continue;
            }

            foreach (var r in _resolver.Entries(s))
            {
                yield return r;
            }
        }
    }

    private void AppendDsts(List<DstEntry> dsts, PolicyAlias d, IReadOnlyList<PortRange> ports)
    {
        if (d.Kind == AliasKind.Wildcard)
        {
            foreach (var p in ports)
            {
                dsts.Add(new DstEntry("*", TailscaleRanges.Everything, p));
            }

            return;
        }

        foreach (var (text, set) in DestinationPieces(d))
        {
            foreach (var p in ports)
            {
                dsts.Add(new DstEntry(text, set, p));
            }
        }
    }

    /// <summary>An alias's destination entries (text and address set), built once per alias per compile.</summary>
    private List<(string Text, IPSet Set)> DestinationPieces(PolicyAlias d)
    {
        if (_pieces.TryGetValue(d.Text, out var cached))
        {
            return cached;
        }

        var internet = d.IsAutoGroup(AutoGroups.Internet);
        var result = new List<(string, IPSet)>();
        foreach (var range in _resolver.Entries(d))
        {
            // Tailscale defines the internet as address ranges and writes each one as first-last, even 2000::/3.
            var text = internet
                ? $"{new IPAddr(range.IsV6, range.First)}-{new IPAddr(range.IsV6, range.Last)}"
                : range.ToString();
            result.Add((text, IPSet.FromRanges([range])));
        }

        _pieces[d.Text] = result;
        return result;
    }

    private void AddSelf(IPSet srcSet, IReadOnlyList<ProtocolPorts> ip, IReadOnlyDictionary<string, IReadOnlyList<JsonElement>?>? capMap)
    {
        // Only users with a device among the sources get a rule; find them through the address index.
        var owners = new HashSet<long>();
        foreach (var i in _topology.NodesIn(srcSet))
        {
            if (!_topology.Nodes[i].IsTagged && _topology.Nodes[i].UserId is { } uid)
            {
                owners.Add(uid);
            }
        }

        foreach (var user in _topology.Users)
        {
            var nodes = _topology.NodesOfUserId(user.Id);
            if (nodes.Count == 0 || !owners.Contains(user.Id))
            {
                continue;
            }

            var devices = Devices(user.Id, nodes);
            var sameUser = nodes.Where(n => n.Addresses.Any(srcSet.Contains)).ToList();
            var (src, srcStrings) = sameUser.Count == nodes.Count
                ? (devices.Set, devices.Strings)
                : SourceOf(sameUser);
            foreach (var pp in ip)
            {
                var dsts = new List<DstEntry>(devices.Hosts.Count * pp.Ports.Count);
                foreach (var p in pp.Ports)
                {
                    foreach (var (text, host) in devices.Hosts)
                    {
                        dsts.Add(new DstEntry(text, host, p));
                    }
                }

                _rules.Add(new CompiledRule { SrcStrings = srcStrings, Src = src, Dsts = dsts, Proto = pp.Protocols });
            }

            if (capMap is not null)
            {
                var caps = nodes.Select(n => new CapEntry(IPSet.FromPrefixes(n.Addresses.Select(IPPrefix.Host)), capMap)).ToList();
                _rules.Add(new CompiledRule { SrcStrings = srcStrings, Src = src, Caps = caps });
                AddCompanions(capMap, devices.Strings, devices.Set, src);
            }
        }
    }

    private (IPSet, IReadOnlyList<string>) SourceOf(List<PolicyNode> nodes)
    {
        var set = IPSet.FromPrefixes(nodes.SelectMany(n => n.Addresses).Select(IPPrefix.Host));
        return (set, _resolver.EntryStrings(AliasResolver.Hosts(set)));
    }

    /// <summary>
    /// A user's devices as autogroup:self needs them, built once per user and shared by every autogroup:self
    /// rule: the address set, its SrcIPs form, and each address as a destination (text and one-address set).
    /// </summary>
    private (IPSet Set, IReadOnlyList<string> Strings, List<(string Text, IPSet Host)> Hosts) Devices(long userId, IReadOnlyList<PolicyNode> nodes)
    {
        if (_devices.TryGetValue(userId, out var cached))
        {
            return cached;
        }

        var (set, strings) = SourceOf([.. nodes]);
        var hosts = nodes.SelectMany(n => n.Addresses).Select(a => (a.ToString(), IPSet.Of(IPPrefix.Host(a)))).ToList();
        var result = (set, strings, hosts);
        _devices[userId] = result;
        return result;
    }

    private void AddVia(IPSet srcSet, IReadOnlyList<string> srcStrings, IReadOnlyList<PolicyAlias> destinations, IReadOnlyList<ProtocolPorts> ip, IReadOnlyList<string> via)
    {
        if (srcSet.IsEmpty || ip.Count == 0)
        {
            return;
        }

        foreach (var pp in ip)
        {
            var dsts = new List<DstEntry>();
            foreach (var d in destinations)
            {
                if (d.IsAutoGroup(AutoGroups.Internet))
                {
                    foreach (var prefix in TailscaleRanges.Internet.Prefixes())
                    {
                        foreach (var p in pp.Ports)
                        {
                            dsts.Add(new DstEntry(prefix.ToString(), IPSet.Of(prefix), p));
                        }
                    }

                    continue;
                }

                foreach (var prefix in _resolver.Resolve(d).Prefixes())
                {
                    foreach (var p in pp.Ports)
                    {
                        dsts.Add(new DstEntry(prefix.ToString(), IPSet.Of(prefix), p));
                    }
                }
            }

            _rules.Add(new CompiledRule { SrcStrings = srcStrings, Src = srcSet, Dsts = dsts, Proto = pp.Protocols, ViaTags = via });
        }
    }

    private void AddCompanions(IReadOnlyDictionary<string, IReadOnlyList<JsonElement>?> capMap, IReadOnlyList<string> companionSrc, IPSet dstSet, IPSet srcSet)
    {
        foreach (var (original, companion) in Companions)
        {
            if (!capMap.ContainsKey(original))
            {
                continue;
            }

            var companionMap = new Dictionary<string, IReadOnlyList<JsonElement>?>(StringComparer.Ordinal) { [companion] = null };
            _rules.Add(new CompiledRule
            {
                SrcStrings = companionSrc,
                Src = dstSet,
                Caps = [new CapEntry(srcSet, companionMap)],
            });
        }
    }

    private static Dictionary<string, IReadOnlyList<JsonElement>?> ToCapMap(IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> app)
    {
        var map = new Dictionary<string, IReadOnlyList<JsonElement>?>(StringComparer.Ordinal);
        foreach (var (name, values) in app)
        {
            map[name] = values.Select(v =>
            {
                using var doc = JsonDocument.Parse(v);
                return doc.RootElement.Clone();
            }).ToList();
        }

        return map;
    }
}
