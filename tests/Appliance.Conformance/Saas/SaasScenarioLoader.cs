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
        var users = new List<PolicyUser>();
        var userIdsByName = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var u in topology.GetProperty("users").EnumerateArray())
        {
            var user = new PolicyUser(u.GetProperty("id").GetInt64(), u.GetProperty("email").GetString() ?? "", u.GetProperty("name").GetString() ?? "");
            users.Add(user);
            userIdsByName[user.Name] = user.Id;
        }

        var expect = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (root.TryGetProperty("expect", out var e) && e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                expect[p.Name] = p.Value;
            }
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
                    if (Strings(peer, "primaryRoutes").Count > 0 && peer.TryGetProperty("name", out var peerName))
                    {
                        result.Add(peerName.GetString() ?? "");
                    }
                }
            }
        }

        return result;
    }

    private static List<string> Strings(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Select(x => x.GetString() ?? "").ToList()
            : [];
}
