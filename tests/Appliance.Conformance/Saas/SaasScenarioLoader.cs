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

        var nodes = new List<PolicyNode>();
        var nodeIds = new Dictionary<string, long>(StringComparer.Ordinal);
        long nextId = 1;
        foreach (var n in topology.GetProperty("nodes").EnumerateObject())
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

        var expect = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (root.TryGetProperty("expect", out var e) && e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                expect[p.Name] = p.Value;
            }
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

    private static List<string> Strings(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Select(x => x.GetString() ?? "").ToList()
            : [];
}
