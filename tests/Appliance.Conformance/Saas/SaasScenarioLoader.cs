using System.Text.Json;
using Appliance.Policy.Compilation;
using Appliance.Policy.Net;

namespace Appliance.Conformance.Saas;

/// <summary>Reads scenario files. Node ids follow file order, which is the order the capture created them in.</summary>
public static class SaasScenarioLoader
{
    public static IReadOnlyList<string> FindFiles(string directory) =>
        Directory.GetFiles(directory, "*.json", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static SaasScenario Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement.Clone();
        var policy = root.GetProperty("policy");
        var policyText = policy.ValueKind == JsonValueKind.String ? policy.GetString()! : policy.GetRawText();
        var accepted = root.GetProperty("accepted").GetBoolean();
        var rejection = root.TryGetProperty("rejection", out var rej) && rej.ValueKind == JsonValueKind.Object
            && rej.TryGetProperty("body", out var body) && body.TryGetProperty("message", out var msg)
            ? msg.GetString() ?? ""
            : "";

        var topology = root.GetProperty("topology");
        var expect = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (root.TryGetProperty("expect", out var e) && e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                expect[p.Name] = p.Value;
            }
        }

        var roles = UserRoles(topology, expect);
        var users = new List<PolicyUser>();
        var userIdsByName = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var u in topology.GetProperty("users").EnumerateArray())
        {
            var name = u.GetProperty("name").GetString() ?? "";
            var user = new PolicyUser(u.GetProperty("id").GetInt64(), u.GetProperty("email").GetString() ?? "", name)
            {
                Roles = roles.TryGetValue(name, out var r) ? r : Appliance.Policy.Compilation.UserRoles.None,
            };
            users.Add(user);
            userIdsByName[user.Name] = user.Id;
        }

        // The captures do not record the order nodes registered in, which is what elects the primary router of
        // a route several nodes serve (a runtime fact, not a policy decision). Reconstruct it: nodes Tailscale
        // reported as primary for something registered first.
        var primaries = PrimaryRouters(expect);
        var ordered = topology.GetProperty("nodes").EnumerateObject()
            .OrderBy(n => primaries.Contains(n.Name) ? 0 : 1)
            .ToList();

        var nodes = new List<PolicyNode>();
        var nodeIds = new Dictionary<string, long>(StringComparer.Ordinal);
        long nextId = 1;
        foreach (var n in ordered)
        {
            var v = n.Value;
            var addresses = new List<IPAddr>();
            foreach (var key in new[] { "ipv4", "ipv6" })
            {
                if (v.TryGetProperty(key, out var a) && a.ValueKind == JsonValueKind.String && IPAddr.TryParse(a.GetString()!, out var addr))
                {
                    addresses.Add(addr);
                }
            }

            long? userId = v.TryGetProperty("user", out var user) && user.ValueKind == JsonValueKind.String
                && userIdsByName.TryGetValue(user.GetString()!, out var uid) ? uid : null;
            var node = new PolicyNode(
                nextId++,
                n.Name,
                userId,
                Strings(v, "tags"),
                addresses,
                Strings(v, "routable_ips").Select(IPPrefix.Parse).ToList(),
                Strings(v, "approved_routes").Select(IPPrefix.Parse).ToList());
            nodes.Add(node);
            nodeIds[n.Name] = node.Id;
        }

        return new SaasScenario(
            root.GetProperty("id").GetString() ?? Path.GetFileNameWithoutExtension(path),
            root.TryGetProperty("category", out var c) ? c.GetString() ?? "" : "",
            path,
            policyText,
            accepted,
            rejection,
            new PolicyTopology(users, nodes),
            nodeIds,
            expect);
    }

    /// <summary>
    /// A node's own map says whether it is the primary router of its routes. Peers' maps are only a fallback
    /// for nodes without a map of their own: a via grant shows a client its via router as the primary for
    /// that client alone, so a peer's report is not the tailnet-wide election.
    /// </summary>
    private static HashSet<string> PrimaryRouters(Dictionary<string, JsonElement> expect)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, node) in expect)
        {
            if (node.TryGetProperty("self", out var self) && Strings(self, "PrimaryRoutes").Count > 0)
            {
                result.Add(name);
            }

            if (node.TryGetProperty("peers", out var peers) && peers.ValueKind == JsonValueKind.Array)
            {
                foreach (var peer in peers.EnumerateArray())
                {
                    if (Strings(peer, "primaryRoutes").Count > 0 && peer.TryGetProperty("name", out var peerName)
                        && !expect.ContainsKey(peerName.GetString() ?? ""))
                    {
                        result.Add(peerName.GetString() ?? "");
                    }
                }
            }
        }

        return result;
    }

    /// <summary>
    /// User roles are not in the topology section; the hosted service records them on each of the user's own
    /// (untagged) devices as the is-owner and is-admin node capabilities, so the runner reads them there.
    /// </summary>
    private static Dictionary<string, IReadOnlySet<string>> UserRoles(JsonElement topology, Dictionary<string, JsonElement> expect)
    {
        var result = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var n in topology.GetProperty("nodes").EnumerateObject())
        {
            if (Strings(n.Value, "tags").Count > 0 || !n.Value.TryGetProperty("user", out var user) || user.ValueKind != JsonValueKind.String
                || !expect.TryGetValue(n.Name, out var node) || !node.TryGetProperty("self", out var self)
                || !self.TryGetProperty("CapMap", out var caps) || caps.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var name = user.GetString()!;
            var roles = result.TryGetValue(name, out var existing) ? new HashSet<string>(existing, StringComparer.Ordinal) : new HashSet<string>(StringComparer.Ordinal);
            if (caps.TryGetProperty("https://tailscale.com/cap/is-owner", out _))
            {
                roles.Add(Appliance.Policy.Compilation.UserRoles.Owner);
            }

            if (caps.TryGetProperty("https://tailscale.com/cap/is-admin", out _))
            {
                roles.Add(Appliance.Policy.Compilation.UserRoles.Admin);
            }

            result[name] = roles;
        }

        return result;
    }

    private static List<string> Strings(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Select(x => x.GetString() ?? "").ToList()
            : [];
}
