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
    }

    public IReadOnlyList<SSHRule> RulesFor(int node)
    {
        var result = new List<SSHRule>();
        var target = _topology.Nodes[node];
        var addresses = _topology.AddressSets[node];
        foreach (var (rule, src, dst, self) in _rules)
        {
            var sources = new List<PolicyNode>();
            if (dst.Overlaps(addresses))
            {
                sources.AddRange(_topology.Nodes.Where(n => n.Addresses.Any(src.Contains)));
            }
            else if (self && !target.IsTagged && target.UserId is { } uid)
            {
                sources.AddRange(_topology.NodesOfUserId(uid).Where(n => n.Addresses.Any(src.Contains)));
            }

            if (sources.Count == 0)
            {
                continue;
            }

            var action = Action(rule);
            var users = UsersMap(rule.Users);
            var principals = Principals(sources);
            result.Add(new SSHRule { Principals = principals, SshUsers = users, Action = action, AcceptEnv = rule.AcceptEnv });

            foreach (var localpart in rule.Users.Where(IsLocalpart))
            {
                var domain = localpart[("localpart:*@".Length)..];
                foreach (var user in _topology.Users)
                {
                    var at = user.LoginName.LastIndexOf('@');
                    if (at < 0 || !string.Equals(user.LoginName[(at + 1)..], domain, StringComparison.OrdinalIgnoreCase))
                    {
                        continue;
                    }

                    var userSources = sources.Where(s => !s.IsTagged && s.UserId == user.Id).ToList();
                    if (userSources.Count == 0)
                    {
                        continue;
                    }

                    var local = user.LoginName[..at];
                    result.Add(new SSHRule
                    {
                        Principals = Principals(userSources),
                        SshUsers = new Dictionary<string, string>(StringComparer.Ordinal) { [local] = local },
                        Action = action,
                        AcceptEnv = rule.AcceptEnv,
                    });
                }
            }
        }

        return result;
    }

    /// <summary><c>localpart:*@domain</c>: each user of that domain may log in as the local part of their login.</summary>
    private static bool IsLocalpart(string user) =>
        user.StartsWith("localpart:*@", StringComparison.Ordinal) && user.Length > "localpart:*@".Length;

    private static List<SSHPrincipal> Principals(IEnumerable<PolicyNode> nodes) =>
        nodes.SelectMany(n => n.Addresses).Distinct().Order().Select(a => new SSHPrincipal(a.ToString())).ToList();

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
