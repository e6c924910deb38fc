using System.Globalization;
using System.Text;
using Appliance.Policy.Compilation;
using Appliance.Policy.Net;

namespace Appliance.Policy.Tests.Compilation;

/// <summary>
/// ForNode derives peers from rule-level indexes, never from the filters themselves. These tests check the
/// indexes against the definition, computed the slow way from every node's packet filter: two nodes are peers
/// exactly when one of them accepts traffic from the other (an address or approved route of it is in SrcIPs).
/// </summary>
public class PeerIndexTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Peers_are_exactly_the_nodes_one_side_accepts_traffic_from(int seed)
    {
        var (topology, policy) = RandomTailnet(new Random(seed), nodes: 120, rules: 40);
        var result = CompiledPolicy.Compile(policy, topology);
        Assert.True(result.Success, string.Join("; ", result.Errors));
        var compiled = result.Policy!;
        var views = topology.Nodes.ToDictionary(n => n.Id, n => compiled.ForNode(n.Id));

        var pairs = 0;
        foreach (var v in topology.Nodes)
        {
            var expected = topology.Nodes
                .Where(p => p.Id != v.Id && (Accepts(views[p.Id], v) || Accepts(views[v.Id], p)))
                .Select(p => p.Id)
                .Order()
                .ToList();
            Assert.Equal(expected, views[v.Id].Peers.Select(p => p.NodeId).Order().ToList());
            pairs += expected.Count;
        }

        // The generated tailnet must actually connect nodes, or the comparison above proves nothing.
        Assert.True(pairs > topology.Nodes.Count, $"only {pairs} peer pairs");
    }

    private static bool Accepts(NodePolicyView receiver, PolicyNode sender)
    {
        foreach (var rule in receiver.PacketFilter)
        {
            var src = SourceSet(rule.SrcIPs);
            if (sender.Addresses.Any(src.Contains) || sender.ApprovedRoutes.Any(src.OverlapsPrefix))
            {
                return true;
            }
        }

        return false;
    }

    private static IPSet SourceSet(IReadOnlyList<string> srcIPs) =>
        IPSet.FromRanges(srcIPs.Select(s =>
            s == "*" ? new IPRange(false, 0, uint.MaxValue)
            : IPRange.TryParse(s, out var range) ? range
            : IPRange.FromPrefix(IPPrefix.Parse(s))).Concat(srcIPs.Contains("*") ? [new IPRange(true, 0, UInt128.MaxValue)] : []));

    /// <summary>Users, groups, tags, routers and a mix of rule shapes (including autogroup:self and "*").</summary>
    private static (PolicyTopology, string) RandomTailnet(Random random, int nodes, int rules)
    {
        var users = Enumerable.Range(1, 12).Select(i => new PolicyUser(i, $"u{i}@example.com", $"u{i}")).ToList();
        var list = new List<PolicyNode>();
        for (var i = 0; i < nodes; i++)
        {
            var tagged = random.Next(4) == 0;
            var routes = i < 4 ? new List<IPPrefix> { IPPrefix.Parse($"10.{i}.0.0/16") } : [];
            list.Add(new PolicyNode(
                i + 1,
                "n" + i.ToString(CultureInfo.InvariantCulture),
                tagged ? null : random.Next(1, users.Count + 1),
                tagged || routes.Count > 0 ? [$"tag:t{random.Next(6)}"] : [],
                [new IPAddr(false, 0x64400000u + 1 + (uint)i), new IPAddr(true, UInt128.Parse("fd7a115ca1e000000000000000000000", NumberStyles.HexNumber, CultureInfo.InvariantCulture) + 1 + (UInt128)i)],
                routes,
                routes));
        }

        string Alias() => random.Next(7) switch
        {
            0 => $"u{random.Next(1, users.Count + 1)}@example.com",
            1 => $"group:g{random.Next(4)}",
            2 => "autogroup:member",
            3 => "autogroup:tagged",
            4 => $"10.{random.Next(6)}.0.0/16",
            _ => $"tag:t{random.Next(6)}",
        };

        var sb = new StringBuilder("{\"groups\": {");
        for (var g = 0; g < 4; g++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\"group:g{g}\": [\"u{g + 1}@example.com\", \"u{g + 5}@example.com\"],");
        }

        sb.Append("}, \"tagOwners\": {");
        for (var t = 0; t < 6; t++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\"tag:t{t}\": [\"u1@example.com\"],");
        }

        sb.Append("}, \"acls\": [");
        for (var r = 0; r < rules; r++)
        {
            var src = random.Next(15) == 0 ? "*" : Alias();
            var dst = random.Next(6) switch
            {
                0 => "autogroup:self:*",
                1 => "*:443",
                _ => Alias() + ":" + (22 + random.Next(3)).ToString(CultureInfo.InvariantCulture),
            };
            if (dst.StartsWith("autogroup:self", StringComparison.Ordinal) && (src.StartsWith("tag:", StringComparison.Ordinal) || src.StartsWith("10.", StringComparison.Ordinal) || src == "autogroup:tagged"))
            {
                src = "autogroup:member";
            }

            sb.Append(CultureInfo.InvariantCulture, $"{{\"action\": \"accept\", \"src\": [\"{src}\"], \"dst\": [\"{dst}\"]}},");
        }

        sb.Append("]}");
        return (new PolicyTopology(users, list), sb.ToString());
    }
}
