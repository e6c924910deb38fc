using System.Globalization;
using System.Text;
using Appliance.Policy.Compilation;
using Appliance.Policy.Net;

namespace Appliance.Benchmarks.Policy;

/// <summary>
/// A synthetic tailnet for the policy benchmarks: N nodes (a fifth tagged across 50 tags, the rest owned by 500
/// users in 100 groups, 20 subnet routers) and a policy of R acl rules mixing groups, tags, users, hosts,
/// autogroup:self and port lists. Deterministic (fixed seed).
/// </summary>
internal static class PolicyBenchmarkTailnet
{
    public static PolicyTopology Topology(int nodes)
    {
        var users = Enumerable.Range(1, 500).Select(i => new PolicyUser(i, $"user{i}@example.com", $"user{i}")).ToList();
        var list = new List<PolicyNode>(nodes);
        for (var i = 0; i < nodes; i++)
        {
            var v4 = new IPAddr(false, 0x64400000u + 1 + (uint)i); // 100.64.0.1 onwards
            var v6 = new IPAddr(true, (UInt128.Parse("fd7a115ca1e000000000000000000000", NumberStyles.HexNumber, CultureInfo.InvariantCulture)) + 1 + (UInt128)i);
            var tagged = i % 5 == 0;
            var routes = i < 20 ? new List<IPPrefix> { IPPrefix.Parse($"10.{i}.0.0/16") } : [];
            list.Add(new PolicyNode(
                i + 1,
                "node" + i.ToString(CultureInfo.InvariantCulture),
                tagged ? null : 1 + (i % 500),
                tagged ? [$"tag:t{(i / 5) % 50}"] : [],
                [v4, v6],
                routes,
                routes));
        }

        return new PolicyTopology(users, list);
    }

    public static string Policy(int rules)
    {
        var sb = new StringBuilder("{\n\"groups\": {");
        for (var g = 0; g < 100; g++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\"group:g{g}\": [\"user{(g * 5) + 1}@example.com\", \"user{(g * 5) + 2}@example.com\", \"user{(g * 5) + 3}@example.com\"],");
        }

        sb.Append("},\n\"tagOwners\": {");
        for (var t = 0; t < 50; t++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\"tag:t{t}\": [\"group:g{t}\"],");
        }

        sb.Append("},\n\"hosts\": {\"corp\": \"10.0.0.0/8\"},\n\"acls\": [\n");
        for (var r = 0; r < rules; r++)
        {
            var rule = (r % 5) switch
            {
                0 => $"{{\"action\": \"accept\", \"src\": [\"group:g{r % 100}\"], \"dst\": [\"tag:t{r % 50}:22,80,443\"]}}",
                1 => $"{{\"action\": \"accept\", \"src\": [\"tag:t{r % 50}\"], \"dst\": [\"tag:t{(r + 7) % 50}:5432\"], \"proto\": \"tcp\"}}",
                2 => $"{{\"action\": \"accept\", \"src\": [\"user{(r % 500) + 1}@example.com\"], \"dst\": [\"corp:*\", \"10.{r % 20}.0.0/16:8080\"]}}",
                3 => $"{{\"action\": \"accept\", \"src\": [\"group:g{r % 100}\"], \"dst\": [\"autogroup:self:*\"]}}",
                _ => $"{{\"action\": \"accept\", \"src\": [\"autogroup:member\"], \"dst\": [\"tag:t{r % 50}:{1000 + r}\"]}}",
            };
            sb.Append(rule).Append(",\n");
        }

        sb.Append("]\n}");
        return sb.ToString();
    }
}
