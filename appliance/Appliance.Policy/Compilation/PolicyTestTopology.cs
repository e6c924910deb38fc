using System.Globalization;
using Appliance.Policy.Model;
using Appliance.Policy.Net;

namespace Appliance.Policy.Compilation;

/// <summary>
/// The tailnet a policy's <c>tests</c> and <c>sshTests</c> run against. Tailscale checks tests against the policy's rules for the
/// identities they name, whether or not a device with that identity has joined yet, so a policy whose tests name
/// <c>tag:web</c> can be saved on an empty tailnet. Here every tag or user a test names (directly or through a
/// group) that owns no node gets one stand-in node, with an address from the top of 100.64.0.0/10 that no node uses;
/// a user the tailnet does not know yet becomes a stand-in user. Nodes that exist are used as they are.
/// </summary>
internal static class PolicyTestTopology
{
    public static PolicyTopology For(PolicyDocument policy, PolicyTopology live)
    {
        var users = live.Users.ToList();
        var nodes = live.Nodes.ToList();
        var used = nodes.SelectMany(n => n.Addresses).ToHashSet();
        var nextId = Math.Max(users.Select(u => u.Id).DefaultIfEmpty(0).Max(), nodes.Select(n => n.Id).DefaultIfEmpty(0).Max()) + 1;
        var nextAddress = 0x647FFFFEu; // 100.127.255.254, counting down

        IPAddr FreeAddress()
        {
            while (true)
            {
                var candidate = IPAddr.Parse(string.Create(CultureInfo.InvariantCulture, $"{nextAddress >> 24}.{(nextAddress >> 16) & 0xFF}.{(nextAddress >> 8) & 0xFF}.{nextAddress & 0xFF}"));
                nextAddress--;
                if (used.Add(candidate))
                {
                    return candidate;
                }
            }
        }

        void AddNode(long? userId, IReadOnlyList<string> tags) =>
            nodes.Add(new PolicyNode(nextId++, "policy-test-" + nodes.Count.ToString(CultureInfo.InvariantCulture), userId, tags, [FreeAddress()], [], []));

        void EnsureUser(string alias)
        {
            if (alias.StartsWith("*@", StringComparison.Ordinal))
            {
                return;
            }

            var matching = users.Where(u => string.Equals(u.LoginName, alias, StringComparison.OrdinalIgnoreCase) || (u.Name.Length > 0 && alias == u.Name + "@")).ToList();
            if (matching.Count == 0)
            {
                var user = new PolicyUser(nextId++, alias, alias.EndsWith('@') ? alias[..^1] : "");
                users.Add(user);
                matching.Add(user);
            }

            foreach (var user in matching.Where(u => !nodes.Any(n => !n.IsTagged && n.UserId == u.Id)))
            {
                AddNode(user.Id, []);
            }
        }

        void Ensure(PolicyAlias alias)
        {
            switch (alias.Kind)
            {
                case AliasKind.Tag when !nodes.Any(n => n.Tags.Contains(alias.Text, StringComparer.Ordinal)):
                    AddNode(null, [alias.Text]);
                    break;
                case AliasKind.User:
                    EnsureUser(alias.Text);
                    break;
                case AliasKind.Group when policy.Groups.TryGetValue(alias.Text, out var members):
                    foreach (var member in members)
                    {
                        EnsureUser(member.Text);
                    }

                    break;
            }
        }

        foreach (var test in policy.Tests)
        {
            Ensure(test.Source);
            foreach (var destination in test.Accept.Concat(test.Deny))
            {
                Ensure(destination.Alias);
            }
        }

        // sshTests the same way: the src that connects and every dst host (a tag, or a user's own device for an
        // autogroup:self rule) get a stand-in when no device has that identity yet, so the test asks what the ssh
        // rules say for it (as tailssh evaluates a connection: the first rule whose principal and login match).
        foreach (var test in policy.SshTests)
        {
            Ensure(test.Source);
            foreach (var destination in test.Destinations)
            {
                Ensure(destination);
            }
        }

        return users.Count == live.Users.Count && nodes.Count == live.Nodes.Count ? live : new PolicyTopology(users, nodes);
    }
}
