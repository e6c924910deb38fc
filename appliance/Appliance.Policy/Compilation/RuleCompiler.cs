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

        var srcSet = _resolver.ResolveAll(sources);
        var resolvedSrc = srcSet;
        var srcStrings = SourceStrings(sources, srcSet);
        if (sources.Any(s => s.Kind == AliasKind.Wildcard))
        {
            // "*" as a source also means every approved subnet route (traffic from behind subnet routers).
            srcSet = srcSet.Union(IPSet.FromPrefixes(_topology.AllSubnetRoutes()));
        }
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
                var companionSrc = AliasResolver.EntryStrings(SourceEntries(others));
                AddCompanions(capMap, companionSrc, IPSet.UnionAll(others.Select(_resolver.Resolve)), resolvedSrc);
            }
        }

        if (destinations.Any(d => d.IsAutoGroup(AutoGroups.Self)))
        {
            AddSelf(srcSet, ip, capMap);
        }
    }

    /// <summary>
    /// SrcIPs as Tailscale writes them: each source's entries (<see cref="AliasResolver.Entries"/>), written
    /// once; "*" is the Tailscale ranges plus every approved subnet route; autogroup:danger-all is just "*".
    /// </summary>
    private List<string> SourceStrings(IReadOnlyList<PolicyAlias> sources, IPSet srcSet)
    {
        if (sources.Any(s => s.IsAutoGroup(AutoGroups.DangerAll)))
        {
            return ["*"];
        }

        return AliasResolver.EntryStrings(SourceEntries(sources));
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

        var internet = d.IsAutoGroup(AutoGroups.Internet);
        foreach (var range in _resolver.Entries(d))
        {
            var rangeSet = IPSet.FromRanges([range]);

            // Tailscale defines the internet as address ranges and writes each one as first-last, even 2000::/3.
            var text = internet
                ? $"{new IPAddr(range.IsV6, range.First)}-{new IPAddr(range.IsV6, range.Last)}"
                : range.ToString();
            foreach (var p in ports)
            {
                dsts.Add(new DstEntry(text, rangeSet, p));
            }
        }
    }

    private void AddSelf(IPSet srcSet, IReadOnlyList<ProtocolPorts> ip, IReadOnlyDictionary<string, IReadOnlyList<JsonElement>?>? capMap)
    {
        foreach (var user in _topology.Users)
        {
            var nodes = _topology.NodesOfUserId(user.Id);
            if (nodes.Count == 0)
            {
                continue;
            }

            var sameUser = nodes.Where(n => n.Addresses.Any(srcSet.Contains)).ToList();
            if (sameUser.Count == 0)
            {
                continue;
            }

            var src = IPSet.FromPrefixes(sameUser.SelectMany(n => n.Addresses).Select(IPPrefix.Host));
            var srcStrings = AliasResolver.EntryStrings(AliasResolver.Hosts(src));
            foreach (var pp in ip)
            {
                var dsts = new List<DstEntry>();
                foreach (var p in pp.Ports)
                {
                    foreach (var addr in nodes.SelectMany(n => n.Addresses))
                    {
                        dsts.Add(new DstEntry(addr.ToString(), IPSet.Of(IPPrefix.Host(addr)), p));
                    }
                }

                _rules.Add(new CompiledRule { SrcStrings = srcStrings, Src = src, Dsts = dsts, Proto = pp.Protocols });
            }

            if (capMap is not null)
            {
                var caps = nodes.Select(n => new CapEntry(IPSet.FromPrefixes(n.Addresses.Select(IPPrefix.Host)), capMap)).ToList();
                _rules.Add(new CompiledRule { SrcStrings = srcStrings, Src = src, Caps = caps });
                var selfDst = IPSet.FromPrefixes(nodes.SelectMany(n => n.Addresses).Select(IPPrefix.Host));
                AddCompanions(capMap, AliasResolver.EntryStrings(AliasResolver.Hosts(selfDst)), selfDst, src);
            }
        }
    }

    private void AddVia(IPSet srcSet, List<string> srcStrings, IReadOnlyList<PolicyAlias> destinations, IReadOnlyList<ProtocolPorts> ip, IReadOnlyList<string> via)
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
