using Appliance.Policy.Model;
using Appliance.Policy.Net;

namespace Appliance.Policy.Compilation;

/// <summary>
/// Runs the policy's own <c>tests</c> and <c>sshTests</c> against the compiled result; any failure rejects the
/// policy (Tailscale answers "test(s) failed"), so a site cannot lock itself out by accident.
/// </summary>
internal sealed class PolicyTestRunner
{
    private readonly CompiledPolicy _compiled;
    private readonly AliasResolver _resolver;
    private readonly TopologyIndex _topology;

    public PolicyTestRunner(CompiledPolicy compiled, AliasResolver resolver, TopologyIndex topology)
    {
        _compiled = compiled;
        _resolver = resolver;
        _topology = topology;
    }

    public List<PolicyError> Run()
    {
        var errors = new List<PolicyError>();
        foreach (var test in _compiled.Policy.Tests)
        {
            var src = _resolver.Resolve(test.Source);
            foreach (var dst in test.Accept)
            {
                if (!Allowed(src, dst, test.Protocols))
                {
                    errors.Add(new PolicyError(dst.Alias.Position, $"test(s) failed: {test.Source.Text} cannot reach {dst.Text} (expected accept)"));
                }
            }

            foreach (var dst in test.Deny)
            {
                if (Allowed(src, dst, test.Protocols))
                {
                    errors.Add(new PolicyError(dst.Alias.Position, $"test(s) failed: {test.Source.Text} can reach {dst.Text} (expected deny)"));
                }
            }
        }

        foreach (var test in _compiled.Policy.SshTests)
        {
            RunSshTest(test, errors);
        }

        return errors;
    }

    private bool Allowed(IPSet src, PolicyTestDestination dst, IReadOnlyList<int>? protocols)
    {
        if (src.IsEmpty)
        {
            return false;
        }

        var dstSet = dst.Alias.IsAutoGroup(AutoGroups.Self) ? OwnDevices(src) : _resolver.Resolve(dst.Alias);
        if (dstSet.IsEmpty)
        {
            return false;
        }

        var proto = protocols ?? [Protocols.Tcp];
        foreach (var rule in _compiled.Rules)
        {
            if (rule.Caps is not null || rule.ViaTags is not null || !rule.Src.Overlaps(src) && !rule.SrcStrings.Contains("*"))
            {
                continue;
            }

            var protoOk = rule.Proto is null
                ? proto.All(p => p is Protocols.Tcp or Protocols.Udp or Protocols.Icmp or Protocols.Ipv6Icmp)
                : proto.All(rule.Proto.Contains);
            if (!protoOk)
            {
                continue;
            }

            if (rule.Dsts.Any(d => d.Ports.Contains(dst.Port) && d.Set.Overlaps(dstSet)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// autogroup:self as a test destination: the devices of the users who own the source's devices, as a
    /// rule's autogroup:self resolves per source user. A tagged source owns nothing, so it reaches no "self".
    /// </summary>
    private IPSet OwnDevices(IPSet src)
    {
        var owners = new HashSet<long>();
        foreach (var i in _topology.NodesIn(src))
        {
            var node = _topology.Nodes[i];
            if (!node.IsTagged && node.UserId is { } uid)
            {
                owners.Add(uid);
            }
        }

        return IPSet.FromPrefixes(owners.SelectMany(_topology.NodesOfUserId).SelectMany(n => n.Addresses).Select(IPPrefix.Host));
    }

    private void RunSshTest(SshPolicyTest test, List<PolicyError> errors)
    {
        var src = _resolver.Resolve(test.Source);
        var targets = new List<int>();
        foreach (var d in test.Destinations)
        {
            var set = _resolver.Resolve(d);
            for (var i = 0; i < _topology.Nodes.Count; i++)
            {
                if (_topology.Nodes[i].Addresses.Any(set.Contains) && !targets.Contains(i))
                {
                    targets.Add(i);
                }
            }
        }

        foreach (var (users, expect) in new[] { (test.Accept, "accept"), (test.Check, "check"), (test.Deny, "deny") })
        {
            foreach (var user in users)
            {
                foreach (var node in targets)
                {
                    var outcome = SshOutcome(src, node, user);
                    if (outcome != expect)
                    {
                        errors.Add(new PolicyError(test.Position, $"test(s) failed: ssh {user}@{_topology.Nodes[node].Name} from {test.Source.Text} is {outcome}, expected {expect}"));
                    }
                }
            }
        }

        if (targets.Count == 0 && (test.Accept.Count > 0 || test.Check.Count > 0))
        {
            errors.Add(new PolicyError(test.Position, "test(s) failed: sshTests dst matches no node"));
        }
    }

    /// <summary>"accept", "check" or "deny": what the first matching SSH rule on the node says for this login.</summary>
    private string SshOutcome(IPSet src, int node, string user)
    {
        if (src.IsEmpty || user.Length == 0)
        {
            return "deny";
        }

        foreach (var rule in _compiled.ForNodeSsh(node))
        {
            if (!rule.Principals.Any(p => src.Contains(IPAddr.Parse(p.NodeIP))))
            {
                continue;
            }

            var mapped = rule.SshUsers.TryGetValue(user, out var local) ? local
                : rule.SshUsers.TryGetValue("*", out var any) ? any : "";
            if (mapped.Length == 0)
            {
                continue;
            }

            return rule.Action.HoldAndDelegate is not null ? "check" : "accept";
        }

        return "deny";
    }
}
