using Appliance.Policy.HuJson;
using Appliance.Policy.Net;

namespace Appliance.Policy.Model;

public sealed partial class PolicyParser
{
    private static readonly IPPrefix AllV4 = IPPrefix.Parse("0.0.0.0/0");
    private static readonly IPPrefix AllV6 = IPPrefix.Parse("::/0");
    private static readonly IPPrefix Cgnat = IPPrefix.Parse("100.64.0.0/10");
    private static readonly IPPrefix[] ReservedPools = [IPPrefix.Parse("100.100.100.0/24"), IPPrefix.Parse("100.115.92.0/23")];

    private Dictionary<string, IPPrefix> ReadHosts(HuJsonValue? value)
    {
        var hosts = new Dictionary<string, IPPrefix>(StringComparer.Ordinal);
        if (value is null || value.Kind == HuJsonKind.Null)
        {
            return hosts;
        }

        if (value.Kind != HuJsonKind.Object)
        {
            Error(value.Position, "\"hosts\" must be an object");
            return hosts;
        }

        foreach (var m in value.Members)
        {
            if (m.Name.Length == 0 || m.Name.Contains(':', StringComparison.Ordinal) || m.Name.Contains('@', StringComparison.Ordinal) || !m.Name.All(IsHostChar))
            {
                Error(m.Position, $"hosts: invalid host name \"{m.Name}\"");
                continue;
            }

            if (m.Value.Kind != HuJsonKind.String || !IPPrefix.TryParseAddrOrPrefix(m.Value.Text, out var prefix))
            {
                Error(m.Value.Position, $"hosts[\"{m.Name}\"]: invalid IP address or prefix");
                continue;
            }

            hosts[m.Name] = prefix;
        }

        return hosts;
    }

    private Dictionary<string, IReadOnlyList<PolicyAlias>> ReadGroups(HuJsonValue? value)
    {
        var groups = new Dictionary<string, IReadOnlyList<PolicyAlias>>(StringComparer.Ordinal);
        if (value is null || value.Kind == HuJsonKind.Null)
        {
            foreach (var (name, logins) in _options.ExternalGroups)
            {
                groups[name] = [.. logins.Select(l => new PolicyAlias(AliasKind.User, l, default))];
            }

            return groups;
        }

        if (value.Kind != HuJsonKind.Object)
        {
            Error(value.Position, "\"groups\" must be an object");
            return groups;
        }

        foreach (var m in value.Members)
        {
            if (!m.Name.StartsWith("group:", StringComparison.Ordinal) || m.Name.Length == 6)
            {
                Error(m.Position, $"groups: \"{m.Name}\": group names must start with 'group:'");
                continue;
            }

            if (m.Value.Kind != HuJsonKind.Array)
            {
                Error(m.Value.Position, $"groups[\"{m.Name}\"]: group value must be an array of users");
                continue;
            }

            var members = new List<PolicyAlias>();
            foreach (var item in m.Value.Items)
            {
                if (item.Kind != HuJsonKind.String)
                {
                    Error(item.Position, $"groups[\"{m.Name}\"]: members must be strings");
                    continue;
                }

                if (item.Text.StartsWith("group:", StringComparison.Ordinal))
                {
                    Error(item.Position, $"groups[\"{m.Name}\"]: \"{item.Text}\": group members cannot be recursive");
                    continue;
                }

                var text = item.Text.StartsWith("user:", StringComparison.Ordinal) ? item.Text[5..] : item.Text;
                if (!text.Contains('@', StringComparison.Ordinal))
                {
                    Error(item.Position, $"groups[\"{m.Name}\"]: \"{item.Text}\": group members must be users (user@domain)");
                    continue;
                }

                members.Add(new PolicyAlias(AliasKind.User, text, item.Position));
            }

            groups[m.Name] = members;
        }

        // Groups from the identity file: members are login names the identity file already validated.
        foreach (var (name, logins) in _options.ExternalGroups)
        {
            var external = logins.Select(l => new PolicyAlias(AliasKind.User, l, value.Position));
            groups[name] = groups.TryGetValue(name, out var own) ? [.. own, .. external] : [.. external];
        }

        return groups;
    }

    private Dictionary<string, IReadOnlyList<PolicyAlias>> ReadTagOwners(HuJsonValue? value)
    {
        var owners = new Dictionary<string, IReadOnlyList<PolicyAlias>>(StringComparer.Ordinal);
        if (value is null || value.Kind == HuJsonKind.Null)
        {
            return owners;
        }

        if (value.Kind != HuJsonKind.Object)
        {
            Error(value.Position, "\"tagOwners\" must be an object");
            return owners;
        }

        // Owners may name other tags, so collect the names before checking them.
        foreach (var m in value.Members)
        {
            owners[m.Name] = [];
        }

        _tagOwners = owners;

        foreach (var m in value.Members)
        {
            if (!TryClassify(m.Name, m.Position, out var tag, out var error) || tag.Kind != AliasKind.Tag)
            {
                Error(m.Position, error.Length > 0 ? error : $"tagOwners: \"{m.Name}\" must start with 'tag:'");
                continue;
            }

            if (m.Value.Kind != HuJsonKind.Array)
            {
                Error(m.Value.Position, $"tagOwners[\"{m.Name}\"] must be an array");
                continue;
            }

            var list = new List<PolicyAlias>();
            foreach (var item in m.Value.Items)
            {
                if (item.Kind != HuJsonKind.String)
                {
                    Error(item.Position, "tag owners must be strings");
                    continue;
                }

                if (item.Text.StartsWith("autogroup:", StringComparison.Ordinal))
                {
                    // Tailscale allows autogroup:admin and friends as owners; they own nothing on an appliance.
                    if (TryClassify(item.Text, item.Position, out var ag, out var agError))
                    {
                        list.Add(ag);
                    }
                    else
                    {
                        Error(item.Position, agError);
                    }

                    continue;
                }

                var owner = ReadAlias(item, "");
                if (owner is null)
                {
                    continue;
                }

                if (owner.Kind is not (AliasKind.User or AliasKind.Group or AliasKind.Tag))
                {
                    Error(item.Position, $"tagOwners[\"{m.Name}\"]: \"{item.Text}\" is not a user, group or tag");
                    continue;
                }

                list.Add(owner);
            }

            owners[m.Name] = list;
        }

        return owners;
    }

    private AclRule? ReadAcl(HuJsonValue entry)
    {
        CheckKnownKeys(entry, "acls", "action", "src", "dst", "proto", "srcPosture", "users", "ports");
        var action = StringMember(entry, "action");
        if (action != "accept")
        {
            Error(entry.MemberIgnoreCase("action")?.Value.Position ?? entry.Position, $"action=\"{action}\" is not supported");
            return null;
        }

        var errorsBefore = _errors.Count;
        var sources = ReadAliases(StringItems(entry, "src") ?? StringItems(entry, "users"), "src");
        var destinations = new List<AclDestination>();
        foreach (var item in StringItems(entry, "dst") ?? StringItems(entry, "ports") ?? [])
        {
            if (!TrySplitHostPort(item.Text, out var aliasText, out var portsText))
            {
                Error(item.Position, $"dst=\"{item.Text}\": hostport must contain a colon");
                continue;
            }

            if (!TryParsePorts(portsText, out var ports, out var portError))
            {
                Error(item.Position, $"dst=\"{aliasText}\": {portError}");
                continue;
            }

            var alias = ReadAlias(HuJsonValue.Scalar(HuJsonKind.String, item.Position, aliasText), "dst");
            if (alias is not null)
            {
                destinations.Add(new AclDestination(alias, ports));
            }
        }

        IReadOnlyList<int>? protocols = null;
        if (StringMember(entry, "proto") is { } proto)
        {
            if (!Protocols.TryParse(proto, out protocols, out var protoError))
            {
                Error(entry.MemberIgnoreCase("proto")!.Value.Position, protoError);
            }
            else if (!Protocols.SupportsPorts(protocols) && destinations.Any(d => d.Ports.Any(p => p != PortRange.Any)))
            {
                Error(entry.MemberIgnoreCase("proto")!.Value.Position, $"proto \"{proto}\" does not support specific ports");
            }
        }

        CheckSourceAutogroups(sources, allowDangerAll: true);
        foreach (var d in destinations)
        {
            CheckDestinationAutogroup(d.Alias);
        }

        if (destinations.Any(d => d.Alias.IsAutoGroup(AutoGroups.Self))
            && sources.Any(s => s.Kind is not (AliasKind.User or AliasKind.Group or AliasKind.Wildcard) && !s.IsAutoGroup(AutoGroups.Member)))
        {
            Error(entry.Position, "autogroup:self can only be used with users, groups, or supported autogroups");
        }

        return _errors.Count > errorsBefore ? null : new AclRule(entry.Position, sources, destinations, protocols);
    }

    private void CheckSourceAutogroups(IEnumerable<PolicyAlias> sources, bool allowDangerAll)
    {
        foreach (var s in sources.Where(s => s.Kind == AliasKind.AutoGroup))
        {
            if (s.Text == AutoGroups.Self)
            {
                Error(s.Position, "\"autogroup:self\" not valid on the src side of a rule");
            }
            else if (s.Text == AutoGroups.Internet)
            {
                Error(s.Position, "autogroup:internet can only be used in ACL destinations");
            }
            else if (s.Text == AutoGroups.NonRoot)
            {
                Error(s.Position, "autogroup:nonroot can only be used in SSH users");
            }
            else if (s.Text == AutoGroups.DangerAll && !allowDangerAll)
            {
                Error(s.Position, "autogroup:danger-all is not valid here");
            }
        }
    }

    private void CheckDestinationAutogroup(PolicyAlias d)
    {
        if (d.Kind != AliasKind.AutoGroup)
        {
            return;
        }

        if (d.Text == AutoGroups.DangerAll)
        {
            Error(d.Position, "cannot use autogroup:danger-all as a dst");
        }
        else if (d.Text == AutoGroups.NonRoot)
        {
            Error(d.Position, "autogroup:nonroot can only be used in SSH users");
        }
    }

    private GrantRule? ReadGrant(HuJsonValue entry)
    {
        CheckKnownKeys(entry, "grants", "src", "dst", "ip", "app", "via", "srcPosture");
        var errorsBefore = _errors.Count;
        var sources = ReadAliases(StringItems(entry, "src", required: true), "src");
        var destinations = ReadAliases(StringItems(entry, "dst", required: true), "dst");
        var ip = new List<ProtocolPorts>();
        foreach (var item in StringItems(entry, "ip") ?? [])
        {
            if (TryParseGrantIp(item.Text, out var pp, out var err))
            {
                ip.Add(pp);
            }
            else
            {
                Error(item.Position, err);
            }
        }

        List<KeyValuePair<string, IReadOnlyList<string>>>? app = null;
        var appMember = entry.MemberIgnoreCase("app");
        if (appMember is not null && appMember.Value.Kind != HuJsonKind.Null)
        {
            app = [];
            if (appMember.Value.Kind != HuJsonKind.Object)
            {
                Error(appMember.Value.Position, "\"app\" must be an object");
            }
            else
            {
                foreach (var cap in appMember.Value.Members)
                {
                    if (CapabilityNameError(cap.Name) is { } capError)
                    {
                        Error(cap.Position, capError);
                        continue;
                    }

                    var values = new List<string>();
                    if (cap.Value.Kind == HuJsonKind.Array)
                    {
                        values.AddRange(cap.Value.Items.Select(v => v.ToJson()));
                    }
                    else if (cap.Value.Kind != HuJsonKind.Null)
                    {
                        Error(cap.Value.Position, $"app[\"{cap.Name}\"] must be an array");
                        continue;
                    }

                    app.Add(new(cap.Name, values));
                }
            }
        }

        // A refused capability name still counts as an app entry: the policy gets that one error, as Tailscale's does.
        var appEntries = appMember?.Value.Kind == HuJsonKind.Object ? appMember.Value.Members.Count : app?.Count ?? 0;
        if (ip.Count == 0 && appEntries == 0)
        {
            Error(entry.Position, "ip and app can not both be empty");
        }

        var via = new List<string>();
        foreach (var v in StringItems(entry, "via") ?? [])
        {
            if (!v.Text.StartsWith("tag:", StringComparison.Ordinal))
            {
                Error(v.Position, "via can only be a tag");
                continue;
            }

            if (ReadAlias(v, "via") is not null)
            {
                via.Add(v.Text);
            }
        }

        CheckSourceAutogroups(sources, allowDangerAll: true);
        foreach (var d in destinations)
        {
            CheckDestinationAutogroup(d);
            if (d.Kind == AliasKind.Prefix && (d.Prefix.Masked == AllV4 || d.Prefix.Masked == AllV6))
            {
                Error(d.Position, $"dst \"{d.Text}\": to allow all IP addresses, use \"*\" or \"autogroup:internet\"");
            }

            if (d.IsAutoGroup(AutoGroups.Internet) && app is { Count: > 0 })
            {
                Error(d.Position, "cannot use app grants with autogroup:internet");
            }
        }

        if (destinations.Any(d => d.IsAutoGroup(AutoGroups.Self))
            && sources.Any(s => s.Kind is not (AliasKind.User or AliasKind.Group) && !s.IsAutoGroup(AutoGroups.Member)))
        {
            Error(entry.Position, "autogroup:self can only be used with users, groups, or supported autogroups");
        }

        return _errors.Count > errorsBefore ? null : new GrantRule(entry.Position, sources, destinations, ip, app, via);
    }

    private static string? CapabilityNameError(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (name.Contains("://", StringComparison.Ordinal) || slash <= 0 || slash == name.Length - 1)
        {
            return $"capability name \"{name}\": capability name must have the form {{domain}}/{{path}}";
        }

        if (name.StartsWith("tailscale.com/", StringComparison.Ordinal) && !AllowedTailscaleCaps.Contains(name))
        {
            return "capability name must not be in the tailscale.com domain";
        }

        return null;
    }

    // The tailscale.com capabilities a policy may grant. Tailscale defines more (tailcfg/peercap/peercap.go:
    // drive-sharer and relay-target are companions the control plane adds itself; ingress, file-send,
    // debug-peer, wake-on-lan and funnel are set by the control plane, not by grants), and its control plane
    // refuses every tailscale.com/ name outside this list with "capability name must not be in the
    // tailscale.com domain" (juanfont/headscale hscontrol/policy/v2/types.go, tailscaleCapAllowlist, kept in
    // step with Tailscale's hosted policy editor). secrets is setec's capability (github.com/tailscale/setec).
    private static readonly HashSet<string> AllowedTailscaleCaps = new(StringComparer.Ordinal)
    {
        "tailscale.com/cap/drive", "tailscale.com/cap/relay", "tailscale.com/cap/webui", "tailscale.com/cap/kubernetes",
        "tailscale.com/cap/tsidp", "tailscale.com/cap/secrets",
    };

    internal static bool TryParseGrantIp(string text, out ProtocolPorts result, out string error)
    {
        result = null!;
        error = "";
        if (text == "*")
        {
            result = new ProtocolPorts(null, [PortRange.Any]);
            return true;
        }

        string portsText;
        IReadOnlyList<int>? protocols = null;
        var parts = text.Split(':');
        if (parts.Length == 1)
        {
            portsText = text;
        }
        else if (parts.Length == 2)
        {
            if (!Protocols.TryParse(parts[0], out protocols, out error))
            {
                return false;
            }

            portsText = parts[1];
        }
        else
        {
            error = $"\"{text}\": expected only one colon in Internet protocol and port type";
            return false;
        }

        if (!TryParsePorts(portsText, out var ports, out error))
        {
            return false;
        }

        if (!Protocols.SupportsPorts(protocols) && ports.Any(p => p != PortRange.Any))
        {
            error = $"\"{text}\": protocol does not support specific ports";
            return false;
        }

        result = new ProtocolPorts(protocols, ports);
        return true;
    }

    private SshRule? ReadSsh(HuJsonValue entry)
    {
        CheckKnownKeys(entry, "ssh", "action", "src", "dst", "users", "checkPeriod", "acceptEnv", "srcPosture");
        var errorsBefore = _errors.Count;
        // Tailscale trims surrounding whitespace from the SSH action and from every src/dst alias before it
        // matches them (" accept" is accept, "tag:server " is tag:server); headscale followed after comparing
        // with Tailscale's control plane (juanfont/headscale hscontrol/policy/v2/types.go, SSHAction.UnmarshalJSON
        // and AliasEnc.UnmarshalJSON).
        var action = StringMember(entry, "action")?.Trim();
        if (string.IsNullOrEmpty(action))
        {
            Error(entry.Position, "action must be specified");
        }
        else if (action is not ("accept" or "check"))
        {
            Error(entry.MemberIgnoreCase("action")!.Value.Position, $"\"{action}\" is not a valid action");
        }

        var sources = ReadAliases(Trimmed(StringItems(entry, "src")), "src");
        var destinations = ReadAliases(Trimmed(StringItems(entry, "dst")), "dst");
        var users = new List<string>();
        var userItems = StringItems(entry, "users");
        if (userItems is null || userItems.Count == 0)
        {
            Error(entry.Position, "users must be specified");
        }

        foreach (var item in userItems ?? [])
        {
            // Tailscale trims surrounding whitespace from login names ("\troot" is root).
            var u = HuJsonValue.Scalar(HuJsonKind.String, item.Position, item.Text.Trim());
            if (u.Text.Length == 0 || u.Text == "*")
            {
                Error(u.Position, $"user \"{u.Text}\" is not valid");
                continue;
            }

            // Tailscale checks only the domain of a well-formed localpart:*@domain; other odd names are
            // accepted as literal login names (they simply never match a real account).
            if (u.Text.StartsWith("localpart:*@", StringComparison.Ordinal) && u.Text.Length > "localpart:*@".Length
                && !CheckDomain(u.Position, u.Text["localpart:*@".Length..]))
            {
                continue;
            }

            users.Add(u.Text);
        }

        TimeSpan? checkPeriod = null;
        var periodMember = entry.MemberIgnoreCase("checkPeriod");
        if (periodMember is not null && periodMember.Value.Kind != HuJsonKind.Null)
        {
            var text = periodMember.Value.Text;
            if (action != "check")
            {
                Error(periodMember.Position, "checkPeriod is only valid with action \"check\"");
            }
            else if (text == "always")
            {
                checkPeriod = TimeSpan.Zero;
            }
            else if (!GoDuration.TryParse(text, out var period))
            {
                Error(periodMember.Value.Position, $"time: invalid duration \"{text}\"");
            }
            else if (period < TimeSpan.Zero)
            {
                Error(periodMember.Value.Position, $"checkPeriod {GoDuration.Format(period)} must be a positive duration");
            }
            else if (period > TimeSpan.FromHours(168))
            {
                Error(periodMember.Value.Position, $"checkPeriod {GoDuration.Format(period)} is above the max (168h)");
            }
            else
            {
                checkPeriod = period;
            }
        }

        List<string>? acceptEnv = null;
        if (StringItems(entry, "acceptEnv") is { } envItems)
        {
            acceptEnv = [];
            foreach (var e in envItems)
            {
                if (e.Text.Length == 0)
                {
                    Error(e.Position, "acceptEnv values cannot be empty");
                    continue;
                }

                acceptEnv.Add(e.Text);
            }
        }

        foreach (var s in sources)
        {
            if (s.Kind == AliasKind.AutoGroup && s.Text is not (AutoGroups.Member or AutoGroups.Tagged))
            {
                Error(s.Position, $"src=\"{s.Text}\": autogroup not supported for SSH sources");
            }
        }

        foreach (var d in destinations)
        {
            if (d.Kind is AliasKind.Host or AliasKind.Prefix or AliasKind.Wildcard)
            {
                Error(d.Position, $"invalid dst \"{d.Text}\"");
            }
            else if (d.Kind == AliasKind.AutoGroup && d.Text is not (AutoGroups.Member or AutoGroups.Tagged or AutoGroups.Self))
            {
                Error(d.Position, $"dst=\"{d.Text}\": autogroup not supported for SSH destinations");
            }
        }

        CheckSshCombination(entry, sources, destinations);
        return _errors.Count > errorsBefore
            ? null
            : new SshRule(entry.Position, action == "check", sources, destinations, users, checkPeriod, acceptEnv);
    }

    private static List<HuJsonValue>? Trimmed(List<HuJsonValue>? items) =>
        items?.Select(i => i.Kind == HuJsonKind.String ? HuJsonValue.Scalar(HuJsonKind.String, i.Position, i.Text.Trim()) : i).ToList();

    private void CheckSshCombination(HuJsonValue entry, List<PolicyAlias> sources, List<PolicyAlias> destinations)
    {
        var tagged = sources.Any(s => s.Kind == AliasKind.Tag || s.IsAutoGroup(AutoGroups.Tagged));
        var groups = sources.Any(s => s.Kind == AliasKind.Group || s.IsAutoGroup(AutoGroups.Member));
        var users = sources.Where(s => s.Kind == AliasKind.User).Select(s => s.Text).Distinct(StringComparer.Ordinal).ToList();
        foreach (var d in destinations)
        {
            if (d.Kind == AliasKind.User)
            {
                if (tagged)
                {
                    Error(d.Position, $"tags in SSH source cannot access user-owned devices ({d.Text})");
                }
                else if (groups || users.Count != 1 || users[0] != d.Text)
                {
                    Error(d.Position, $"user destination requires source to contain only that same user \"{d.Text}\"");
                }
            }
            else if (d.IsAutoGroup(AutoGroups.Self) && tagged)
            {
                Error(entry.Position, "autogroup:self destination requires source to contain only users or groups, not tags or autogroup:tagged");
            }
            else if (d.IsAutoGroup(AutoGroups.Member) && tagged)
            {
                Error(entry.Position, "tags in SSH source cannot access autogroup:member (user-owned devices)");
            }
        }
    }

    private NodeAttrRule? ReadNodeAttr(HuJsonValue entry)
    {
        CheckKnownKeys(entry, "nodeAttrs", "target", "attr", "ipPool", "app");
        var errorsBefore = _errors.Count;
        var targets = ReadAliases(StringItems(entry, "target"), "target");
        foreach (var t in targets)
        {
            if (t.Kind == AliasKind.AutoGroup && t.Text is AutoGroups.Self or AutoGroups.Internet or AutoGroups.NonRoot or AutoGroups.DangerAll)
            {
                Error(t.Position, $"target=\"{t.Text}\": autogroup not supported for nodeAttrs");
            }
        }

        var attrs = (StringItems(entry, "attr") ?? []).Select(a => a.Text).ToList();
        var pools = new List<IPPrefix>();
        foreach (var p in StringItems(entry, "ipPool") ?? [])
        {
            if (!IPPrefix.TryParse(p.Text, out var prefix))
            {
                Error(p.Position, $"ipPool \"{p.Text}\": invalid prefix");
                continue;
            }

            if (!Cgnat.Contains(prefix.Addr) || prefix.Bits < Cgnat.Bits)
            {
                Error(p.Position, $"IPPool({p.Text}): network must be within 100.64.0.0/10");
                continue;
            }

            if (ReservedPools.Any(r => r.Overlaps(prefix.Masked)))
            {
                Error(p.Position, $"IPPool({p.Text}): network within reserved range");
                continue;
            }

            pools.Add(prefix);
        }

        return _errors.Count > errorsBefore ? null : new NodeAttrRule(entry.Position, targets, attrs, pools);
    }

    private AutoApproverPolicy ReadAutoApprovers(HuJsonValue? value)
    {
        if (value is null || value.Kind == HuJsonKind.Null)
        {
            return AutoApproverPolicy.None;
        }

        if (value.Kind != HuJsonKind.Object)
        {
            Error(value.Position, "\"autoApprovers\" must be an object");
            return AutoApproverPolicy.None;
        }

        CheckKnownKeys(value, "autoApprovers", "routes", "exitNode", "services");
        var routes = new List<KeyValuePair<IPPrefix, IReadOnlyList<PolicyAlias>>>();
        var routesValue = value.MemberIgnoreCase("routes")?.Value;
        if (routesValue is { Kind: HuJsonKind.Object })
        {
            foreach (var m in routesValue.Members)
            {
                if (!IPPrefix.TryParseAddrOrPrefix(m.Name, out var prefix))
                {
                    Error(m.Position, $"autoApprovers: invalid route prefix \"{m.Name}\"");
                    continue;
                }

                var approvers = ReadAliases(m.Value.Kind == HuJsonKind.Array ? m.Value.Items.Where(i => i.IsString) : [], "autoApprovers");
                routes.Add(new(prefix.Masked, approvers));
            }
        }

        var exit = ReadAliases(StringItems(value, "exitNode"), "autoApprovers");
        return new AutoApproverPolicy(routes, exit);
    }

}
