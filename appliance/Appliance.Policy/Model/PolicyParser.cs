using System.Globalization;
using Appliance.Policy.HuJson;
using Appliance.Policy.Net;

namespace Appliance.Policy.Model;

/// <summary>
/// Turns policy text (HuJSON, Tailscale's policy file format, kb/1337 and kb/1324) into a validated
/// <see cref="PolicyDocument"/>, or the list of errors (each with line and column) that reject it.
/// Validation needs no topology except <see cref="PolicyParserOptions.TailnetDomains"/> (for
/// <c>localpart:*@domain</c> and <c>user:*@domain</c>); the policy's <c>tests</c> run in the compiler.
/// </summary>
public sealed partial class PolicyParser
{
    private static readonly HashSet<string> IgnoredTopLevel = new(StringComparer.OrdinalIgnoreCase)
    {
        "derpMap", "disableIPv4", "OneCGNATRoute", "postures", "defaultSrcPosture", "attrConfig", "ipsets", "extraDNSRecords",
    };

    private readonly List<PolicyError> _errors = [];
    private readonly PolicyParserOptions _options;
    private Dictionary<string, IReadOnlyList<PolicyAlias>> _groups = new(StringComparer.Ordinal);
    private Dictionary<string, IPPrefix> _hosts = new(StringComparer.Ordinal);
    private Dictionary<string, IReadOnlyList<PolicyAlias>> _tagOwners = new(StringComparer.Ordinal);

    private PolicyParser(PolicyParserOptions options)
    {
        _options = options;
    }

    public static PolicyParseResult Parse(string text, PolicyParserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        HuJsonValue root;
        try
        {
            root = HuJsonReader.Parse(text);
        }
        catch (HuJsonException e)
        {
            return new PolicyParseResult(null, [new PolicyError(e.Position, e.Reason)]);
        }

        var parser = new PolicyParser(options ?? PolicyParserOptions.Default);
        var document = parser.ReadDocument(root, text);
        return parser._errors.Count > 0
            ? new PolicyParseResult(null, parser._errors)
            : new PolicyParseResult(document, []);
    }

    private void Error(HuJsonPosition position, string message) => _errors.Add(new PolicyError(position, message));

    private PolicyDocument ReadDocument(HuJsonValue root, string text)
    {
        if (root.Kind != HuJsonKind.Object)
        {
            Error(root.Position, "policy must be a JSON object");
            return Empty(text);
        }

        HuJsonValue? Get(string key) => root.MemberIgnoreCase(key)?.Value;

        foreach (var member in root.Members)
        {
            if (member.Name.StartsWith('#') || IgnoredTopLevel.Contains(member.Name))
            {
                continue;
            }

            if (!KnownTopLevel.Contains(member.Name))
            {
                Error(member.Position, $"unknown field \"{member.Name}\"");
            }
        }

        // Definitions first: everything else refers to them.
        _hosts = ReadHosts(Get("hosts"));
        _groups = ReadGroups(Get("groups"));
        _tagOwners = ReadTagOwners(Get("tagOwners"));

        var aclsValue = Get("acls");
        var grantsValue = Get("grants");
        var document = new PolicyDocument
        {
            Groups = _groups,
            Hosts = _hosts,
            TagOwners = _tagOwners,
            Acls = aclsValue is null || aclsValue.Kind == HuJsonKind.Null ? null : ReadArray(aclsValue, "acls", ReadAcl),
            Grants = grantsValue is null || grantsValue.Kind == HuJsonKind.Null ? null : ReadArray(grantsValue, "grants", ReadGrant),
            Ssh = ReadArray(Get("ssh"), "ssh", ReadSsh),
            NodeAttrs = ReadArray(Get("nodeAttrs"), "nodeAttrs", ReadNodeAttr),
            AutoApprovers = ReadAutoApprovers(Get("autoApprovers")),
            Tests = ReadArray(Get("tests"), "tests", ReadTest),
            SshTests = ReadArray(Get("sshTests"), "sshTests", ReadSshTest),
            RandomizeClientPort = Get("randomizeClientPort") is { Kind: HuJsonKind.True },
            Text = text,
        };
        return document;
    }

    private static readonly HashSet<string> KnownTopLevel = new(StringComparer.OrdinalIgnoreCase)
    {
        "groups", "hosts", "tagOwners", "acls", "grants", "ssh", "nodeAttrs", "autoApprovers", "tests", "sshTests",
        "randomizeClientPort",
    };

    private static PolicyDocument Empty(string text) => new()
    {
        Groups = new Dictionary<string, IReadOnlyList<PolicyAlias>>(),
        Hosts = new Dictionary<string, IPPrefix>(),
        TagOwners = new Dictionary<string, IReadOnlyList<PolicyAlias>>(),
        Text = text,
    };

    private List<T> ReadArray<T>(HuJsonValue? value, string what, Func<HuJsonValue, T?> read)
        where T : class
    {
        var result = new List<T>();
        if (value is null || value.Kind == HuJsonKind.Null)
        {
            return result;
        }

        if (value.Kind != HuJsonKind.Array)
        {
            Error(value.Position, $"\"{what}\" must be an array");
            return result;
        }

        foreach (var item in value.Items)
        {
            if (item.Kind != HuJsonKind.Object)
            {
                Error(item.Position, $"each \"{what}\" entry must be an object");
                continue;
            }

            if (read(item) is { } parsed)
            {
                result.Add(parsed);
            }
        }

        return result;
    }

    /// <summary>A string-array member (null when absent); reports non-string items.</summary>
    private List<HuJsonValue>? StringItems(HuJsonValue entry, string key, bool required = false)
    {
        var member = entry.MemberIgnoreCase(key);
        if (member is null || member.Value.Kind == HuJsonKind.Null)
        {
            if (required)
            {
                Error(entry.Position, $"\"{key}\" is required");
            }

            return null;
        }

        if (member.Value.Kind != HuJsonKind.Array)
        {
            Error(member.Value.Position, $"\"{key}\" must be an array of strings");
            return null;
        }

        var result = new List<HuJsonValue>();
        foreach (var item in member.Value.Items)
        {
            if (item.Kind != HuJsonKind.String)
            {
                Error(item.Position, $"\"{key}\" entries must be strings");
                continue;
            }

            result.Add(item);
        }

        return result;
    }

    private string? StringMember(HuJsonValue entry, string key)
    {
        var member = entry.MemberIgnoreCase(key);
        if (member is null || member.Value.Kind == HuJsonKind.Null)
        {
            return null;
        }

        if (member.Value.Kind != HuJsonKind.String)
        {
            Error(member.Value.Position, $"\"{key}\" must be a string");
            return null;
        }

        return member.Value.Text;
    }

    private void CheckKnownKeys(HuJsonValue entry, string what, params string[] keys)
    {
        foreach (var member in entry.Members)
        {
            if (member.Name.StartsWith('#'))
            {
                continue;
            }

            if (!keys.Contains(member.Name, StringComparer.OrdinalIgnoreCase))
            {
                Error(member.Position, $"{what}: unknown field \"{member.Name}\"");
            }
        }
    }

    // ---- aliases -------------------------------------------------------------------------------------------------

    /// <summary>Classifies alias text the way Tailscale does: address first, then the prefixed kinds, then host.</summary>
    internal static bool TryClassify(string text, HuJsonPosition position, out PolicyAlias alias, out string error)
    {
        error = "";
        alias = null!;
        if (text == "*")
        {
            alias = new PolicyAlias(AliasKind.Wildcard, text, position);
            return true;
        }

        if (IPPrefix.TryParseAddrOrPrefix(text, out var prefix))
        {
            alias = new PolicyAlias(AliasKind.Prefix, text, position, prefix);
            return true;
        }

        if (IPRange.TryParse(text, out _))
        {
            error = $"\"{text}\": address ranges are not supported, use a CIDR prefix";
            return false;
        }

        if (text.StartsWith("autogroup:", StringComparison.Ordinal))
        {
            alias = new PolicyAlias(AliasKind.AutoGroup, text, position);
            if (!AutoGroups.All.Contains(text))
            {
                error = $"unknown autogroup \"{text}\"";
                return false;
            }

            return true;
        }

        if (text.StartsWith("group:", StringComparison.Ordinal))
        {
            alias = new PolicyAlias(AliasKind.Group, text, position);
            return true;
        }

        if (text.StartsWith("tag:", StringComparison.Ordinal))
        {
            alias = new PolicyAlias(AliasKind.Tag, text, position);
            var rest = text[4..];
            if (rest.Length == 0 || !char.IsAsciiLetter(rest[0]))
            {
                error = $"\"{text}\": tag names must start with a letter, after 'tag:'";
                return false;
            }

            if (rest.Contains(':', StringComparison.Ordinal))
            {
                error = $"\"{text}\": invalid tag name";
                return false;
            }

            return true;
        }

        var userText = text.StartsWith("user:", StringComparison.Ordinal) ? text[5..] : text;
        if (userText.Contains('@', StringComparison.Ordinal))
        {
            alias = new PolicyAlias(AliasKind.User, userText, position);
            return true;
        }

        if (text.Length > 0 && !text.Contains(':', StringComparison.Ordinal) && text.All(IsHostChar))
        {
            alias = new PolicyAlias(AliasKind.Host, text, position);
            return true;
        }

        error = $"\"{text}\": invalid address";
        return false;
    }

    private static bool IsHostChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    /// <summary>Parses and checks that groups, tags and hosts it names exist.</summary>
    private PolicyAlias? ReadAlias(HuJsonValue value, string side)
    {
        if (!TryClassify(value.Text, value.Position, out var alias, out var error))
        {
            Error(value.Position, side.Length > 0 ? $"{side}={error}" : error);
            return null;
        }

        return CheckDefined(alias, side) ? alias : null;
    }

    private bool CheckDefined(PolicyAlias alias, string side)
    {
        var prefix = side.Length > 0 ? side + "=" : "";
        switch (alias.Kind)
        {
            case AliasKind.Tag when !_tagOwners.ContainsKey(alias.Text):
                Error(alias.Position, $"{prefix}tag not found: \"{alias.Text}\"");
                return false;
            case AliasKind.Group when !_groups.ContainsKey(alias.Text):
                Error(alias.Position, $"{prefix}group not found: \"{alias.Text}\"");
                return false;
            case AliasKind.Host when !_hosts.ContainsKey(alias.Text):
                Error(alias.Position, $"{prefix}host not found: \"{alias.Text}\"");
                return false;
            case AliasKind.User when alias.Text.StartsWith("*@", StringComparison.Ordinal):
                return CheckDomain(alias.Position, alias.Text[2..]);
            default:
                return true;
        }
    }

    private bool CheckDomain(HuJsonPosition position, string domain)
    {
        if (!_options.TailnetDomains.Contains(domain, StringComparer.Ordinal))
        {
            Error(position, $"{domain} is not associated with this Tailnet and cannot be used in user:*@<domain> expressions");
            return false;
        }

        return true;
    }

    private List<PolicyAlias> ReadAliases(IEnumerable<HuJsonValue>? values, string side)
    {
        var result = new List<PolicyAlias>();
        foreach (var v in values ?? [])
        {
            if (ReadAlias(v, side) is { } alias)
            {
                result.Add(alias);
            }
        }

        return result;
    }

    // ---- ports ---------------------------------------------------------------------------------------------------

    internal static bool TryParsePorts(string text, out List<PortRange> ports, out string error)
    {
        ports = [];
        error = "";
        if (text == "*")
        {
            ports.Add(PortRange.Any);
            return true;
        }

        foreach (var part in text.Split(','))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var firstText = dash < 0 ? part : part[..dash];
            var lastText = dash < 0 ? part : part[(dash + 1)..];
            if (!TryPort(firstText, out var first))
            {
                error = $"port range \"{text}\": invalid first integer";
                return false;
            }

            if (!TryPort(lastText, out var last))
            {
                error = $"port range \"{text}\": invalid last integer";
                return false;
            }

            if (first == 0)
            {
                error = $"port range \"{text}\": first port must be >0, or use '*' for wildcard";
                return false;
            }

            if (last < first)
            {
                error = $"port range \"{text}\": last port must be >= first port";
                return false;
            }

            ports.Add(new PortRange(first, last));
        }

        return true;
    }

    private static bool TryPort(string text, out int port)
    {
        port = 0;
        return text.Length is > 0 and <= 5 && text.All(char.IsAsciiDigit)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535;
    }

    /// <summary>Splits "alias:ports" at the last colon; IPv6 addresses may be bracketed ("[::1]:22").</summary>
    internal static bool TrySplitHostPort(string text, out string alias, out string ports)
    {
        alias = "";
        ports = "";
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                return false;
            }

            alias = text[1..close];
            ports = text[(close + 2)..];
            return true;
        }

        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        alias = text[..colon];
        ports = text[(colon + 1)..];
        return true;
    }
}
