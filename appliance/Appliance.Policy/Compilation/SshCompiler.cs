using Appliance.Policy.Model;
using Appliance.Policy.Net;

namespace Appliance.Policy.Compilation;

/// <summary>
/// Compiles the <c>ssh</c> section into each destination node's tailcfg.SSHPolicy rules. Principals are the
/// source nodes' addresses (<c>nodeIP</c>); for autogroup:self only the destination owner's own devices.
/// </summary>
internal sealed class SshCompiler
{
    private readonly PolicyDocument _policy;
    private readonly TopologyIndex _topology;
    private readonly AliasResolver _resolver;
    private readonly CompileOptions _options;
    private readonly List<(SshRule Rule, IPSet Src, IPSet Dst, bool Self)> _rules;

    /// <summary>Per rule, the nodes whose addresses are in its sources (found once, through the address index).</summary>
    private readonly List<PolicyNode>[] _sourceNodes;

    public SshCompiler(PolicyDocument policy, TopologyIndex topology, AliasResolver resolver, CompileOptions options)
    {
        _policy = policy;
        _topology = topology;
        _resolver = resolver;
        _options = options;
        _rules = policy.Ssh.Select(r => (
            r,
            resolver.ResolveAll(r.Sources),
            resolver.ResolveAll(r.Destinations.Where(d => !d.IsAutoGroup(AutoGroups.Self))),
            r.Destinations.Any(d => d.IsAutoGroup(AutoGroups.Self)))).ToList();
        _sourceNodes = _rules.Select(r => topology.NodesIn(r.Src).Distinct().Order().Select(i => topology.Nodes[i]).ToList()).ToArray();
    }

    public IReadOnlyList<SSHRule> RulesFor(int node)
    {
        var result = new List<SSHRule>();
        var target = _topology.Nodes[node];
        var addresses = _topology.AddressSets[node];
        for (var k = 0; k < _rules.Count; k++)
        {
            var (rule, src, dst, self) = _rules[k];
            var sources = new List<PolicyNode>();
            if (dst.Overlaps(addresses))
            {
                sources.AddRange(_sourceNodes[k]);
            }
            else if (self && !target.IsTagged && target.UserId is { } uid)
            {
                sources.AddRange(_topology.NodesOfUserId(uid).Where(n => n.Addresses.Any(src.Contains)));
            }
            else if (rule.Users.Any(IsLocalpart) && target.Addresses.Any(src.Contains))
            {
                // Tailscale also hands a localpart rule to the source devices themselves, with the owner's
                // own devices as principals (seen in its captured SSH policies).
                sources.AddRange(target.IsTagged
                    ? [target]
                    : _topology.NodesOfUserId(target.UserId ?? -1).Where(n => n.Addresses.Any(src.Contains)));
            }

            if (sources.Count == 0)
            {
                continue;
            }

            var action = Action(rule);
            var users = UsersMap(rule.Users);
            var localparts = rule.Users.Where(IsLocalpart).Select(u => u["localpart:*@".Length..]).ToList();
            if (localparts.Count == 0)
            {
                result.Add(new SSHRule { Principals = Principals(sources), SshUsers = users, Action = action, AcceptEnv = rule.AcceptEnv });
                continue;
            }

            // With localpart users the rule splits per source user: the base mapping, then that user's own
            // local part (alice@example.com may log in as alice); tagged sources get the base mapping only.
            foreach (var user in _topology.Users.OrderBy(u => u.Id))
            {
                var userSources = sources.Where(s => !s.IsTagged && s.UserId == user.Id).ToList();
                if (userSources.Count == 0)
                {
                    continue;
                }

                var principals = Principals(userSources);
                result.Add(new SSHRule { Principals = principals, SshUsers = users, Action = action, AcceptEnv = rule.AcceptEnv });
                var at = user.LoginName.LastIndexOf('@');
                if (at > 0 && localparts.Contains(user.LoginName[(at + 1)..], StringComparer.Ordinal))
                {
                    var local = user.LoginName[..at];
                    result.Add(new SSHRule
                    {
                        Principals = principals,
                        SshUsers = new Dictionary<string, string>(StringComparer.Ordinal) { [local] = local },
                        Action = action,
                        AcceptEnv = rule.AcceptEnv,
                    });
                }
            }

            var tagged = sources.Where(s => s.IsTagged).ToList();
            if (tagged.Count > 0)
            {
                result.Add(new SSHRule { Principals = Principals(tagged), SshUsers = users, Action = action, AcceptEnv = rule.AcceptEnv });
            }
        }

        return result;
    }

    /// <summary><c>localpart:*@domain</c>: each user of that domain may log in as the local part of their login.</summary>
    private static bool IsLocalpart(string user) =>
        user.StartsWith("localpart:*@", StringComparison.Ordinal) && user.Length > "localpart:*@".Length;

    /// <summary>
    /// One nodeIP principal per address. Tailscale lists a tagged node's addresses once per tag it carries
    /// (visible in its captured SSH policies); duplicates are harmless to the client, so we match it.
    /// </summary>
    private static List<SSHPrincipal> Principals(IEnumerable<PolicyNode> nodes) =>
        nodes.SelectMany(n => Enumerable.Repeat(n.Addresses, Math.Max(1, n.Tags.Count)).SelectMany(a => a))
            .Order().Select(a => new SSHPrincipal(a.ToString())).ToList();

    private static Dictionary<string, string> UsersMap(IReadOnlyList<string> users)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var u in users)
        {
            if (u == AutoGroups.NonRoot)
            {
                map["*"] = "=";
            }
            else if (!IsLocalpart(u))
            {
                map[u] = u;
            }
        }

        // Root must be named explicitly; "" means "no match" so a "*" entry cannot map root.
        map.TryAdd("root", "");
        return map;
    }

    private SSHAction Action(SshRule rule)
    {
        if (!rule.Check)
        {
            return new SSHAction
            {
                Accept = true,
                AllowAgentForwarding = true,
                AllowLocalPortForwarding = true,
                AllowRemotePortForwarding = true,
            };
        }

        return new SSHAction
        {
            HoldAndDelegate = _options.ControlUrl.TrimEnd('/') + "/machine/ssh/action/$SRC_NODE_ID/to/$DST_NODE_ID?local_user=$LOCAL_USER",
            CheckPeriod = rule.CheckPeriod ?? TimeSpan.FromHours(12),
        };
    }

    internal PolicyDocument Policy => _policy;

    internal AliasResolver Resolver => _resolver;
}
