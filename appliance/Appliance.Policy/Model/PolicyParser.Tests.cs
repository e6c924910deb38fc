using Appliance.Policy.HuJson;

namespace Appliance.Policy.Model;

public sealed partial class PolicyParser
{
    private PolicyTest? ReadTest(HuJsonValue entry)
    {
        CheckKnownKeys(entry, "tests", "src", "proto", "accept", "deny", "srcPostureAttrs");
        var errorsBefore = _errors.Count;
        var srcText = StringMember(entry, "src");
        PolicyAlias? source = null;
        if (string.IsNullOrEmpty(srcText))
        {
            Error(entry.Position, "tests entry must have a non-empty src");
        }
        else
        {
            source = ReadAlias(HuJsonValue.Scalar(HuJsonKind.String, entry.MemberIgnoreCase("src")!.Value.Position, srcText), "src");
        }

        IReadOnlyList<int>? protocols = null;
        if (StringMember(entry, "proto") is { Length: > 0 } proto)
        {
            if (!Protocols.TryParse(proto, out protocols, out var protoError))
            {
                Error(entry.MemberIgnoreCase("proto")!.Value.Position, protoError);
            }
        }

        var accept = ReadTestDestinations(StringItems(entry, "accept"));
        var deny = ReadTestDestinations(StringItems(entry, "deny"));
        if (accept.Count == 0 && deny.Count == 0 && _errors.Count == errorsBefore)
        {
            Error(entry.Position, "test entry must have at least one of \"accept\" or \"deny\"");
        }

        return _errors.Count > errorsBefore || source is null ? null : new PolicyTest(entry.Position, source, protocols, accept, deny);
    }

    private List<PolicyTestDestination> ReadTestDestinations(List<HuJsonValue>? items)
    {
        var result = new List<PolicyTestDestination>();
        foreach (var item in items ?? [])
        {
            if (!TrySplitHostPort(item.Text, out var aliasText, out var portText))
            {
                Error(item.Position, $"test destination \"{item.Text}\" must be host:port");
                continue;
            }

            if (!TryPort(portText, out var port) || port == 0)
            {
                Error(item.Position, $"test destination \"{item.Text}\": port must be a single port");
                continue;
            }

            var alias = ReadAlias(HuJsonValue.Scalar(HuJsonKind.String, item.Position, aliasText), "dst");
            if (alias is null)
            {
                continue;
            }

            // A test is one connection attempt to one host (Tailscale answers "test(s) failed" otherwise):
            // CIDR notation is refused even for /32, and so is a hosts entry naming more than one address.
            // autogroup:internet is reached through exit nodes' AllowedIPs, not a packet filter, so a
            // reachability test cannot say anything about it (headscale hscontrol/policy/v2/types.go,
            // validateTestDestination, records the same rules from the captures).
            if (alias.Kind == AliasKind.Prefix && aliasText.Contains('/', StringComparison.Ordinal)
                || alias.Kind == AliasKind.Host && _hosts.TryGetValue(alias.Text, out var host) && !host.IsSingleIP)
            {
                Error(item.Position, $"test destination \"{item.Text}\" must be a single host, not a CIDR range");
                continue;
            }

            if (alias.IsAutoGroup(AutoGroups.Internet))
            {
                Error(item.Position, $"test destination \"{item.Text}\": autogroup:internet is not valid as a test destination");
                continue;
            }

            result.Add(new PolicyTestDestination(alias, port, item.Text));
        }

        return result;
    }

    private SshPolicyTest? ReadSshTest(HuJsonValue entry)
    {
        CheckKnownKeys(entry, "sshTests", "src", "dst", "accept", "check", "deny", "srcPostureAttrs");
        var errorsBefore = _errors.Count;
        var srcText = StringMember(entry, "src");
        PolicyAlias? source = null;
        if (string.IsNullOrEmpty(srcText))
        {
            Error(entry.Position, "SSH tests entry must have a non-empty src");
        }
        else
        {
            source = ReadAlias(HuJsonValue.Scalar(HuJsonKind.String, entry.MemberIgnoreCase("src")!.Value.Position, srcText), "src");
        }

        var destinations = new List<PolicyAlias>();
        var dstItems = StringItems(entry, "dst");
        if (dstItems is null || dstItems.Count == 0)
        {
            Error(entry.Position, "SSH tests entry must have at least one dst");
        }

        foreach (var d in dstItems ?? [])
        {
            if (!TryClassify(d.Text, d.Position, out var alias, out var err))
            {
                Error(d.Position, err);
                continue;
            }

            if (alias.Kind == AliasKind.Tag && !_tagOwners.ContainsKey(alias.Text) || alias.Kind == AliasKind.Tag && alias.Text.Contains(':', StringComparison.Ordinal) && alias.Text.LastIndexOf(':') > 3)
            {
                Error(d.Position, $"SSH tests dst contains unknown tag \"{d.Text}\"");
                continue;
            }

            if (alias.Kind == AliasKind.AutoGroup && alias.Text is not (AutoGroups.Member or AutoGroups.Tagged or AutoGroups.Self)
                || alias.Kind == AliasKind.Prefix && (!alias.Prefix.IsSingleIP || alias.Prefix.IsV6) || alias.Kind == AliasKind.Wildcard)
            {
                Error(d.Position, $"SSH tests dst contains disallowed element \"{d.Text}\"");
                continue;
            }

            if (CheckDefined(alias, "dst"))
            {
                destinations.Add(alias);
            }
        }

        var accept = (StringItems(entry, "accept") ?? []).Select(v => v.Text).ToList();
        var check = (StringItems(entry, "check") ?? []).Select(v => v.Text).ToList();
        var deny = (StringItems(entry, "deny") ?? []).Select(v => v.Text).ToList();
        if (accept.Count == 0 && check.Count == 0 && deny.Count == 0)
        {
            Error(entry.Position, "SSH tests entry must have at least one of \"accept\", \"check\" or \"deny\"");
        }

        return _errors.Count > errorsBefore || source is null
            ? null
            : new SshPolicyTest(entry.Position, source, destinations, accept, check, deny);
    }
}
