using System.Text.Json;
using Appliance.Policy.Model;

namespace Appliance.Policy.Compilation;

/// <summary>Node capabilities (tailcfg.NodeCapMap) from <c>nodeAttrs</c> and <c>randomizeClientPort</c>.</summary>
internal static class NodeAttrCompiler
{
    /// <summary>tailcfg NodeAttrDisableIPv4: the node gets no IPv4 address (IPv6-only).</summary>
    public const string DisableIPv4 = "disable-ipv4";

    public static Dictionary<string, IReadOnlyList<JsonElement>?>[] Compile(PolicyDocument policy, TopologyIndex topology, AliasResolver resolver)
    {
        var result = new Dictionary<string, IReadOnlyList<JsonElement>?>[topology.Nodes.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = new Dictionary<string, IReadOnlyList<JsonElement>?>(StringComparer.Ordinal);
            if (policy.RandomizeClientPort)
            {
                result[i]["randomize-client-port"] = null;
            }
        }

        foreach (var attr in policy.NodeAttrs)
        {
            if (attr.Attrs.Count == 0)
            {
                continue;
            }

            var targets = resolver.ResolveAll(attr.Targets);
            foreach (var i in topology.NodesIn(targets).Distinct().Order())
            {

                foreach (var name in attr.Attrs)
                {
                    result[i].TryAdd(name, null);
                    if (name == "funnel")
                    {
                        // Funnel comes with the ports it may use and a reminder that it needs HTTPS
                        // (tailcfg NodeAttrFunnel, CapabilityFunnelPorts, CapabilityWarnFunnelNoHTTPS).
                        result[i].TryAdd("https://tailscale.com/cap/funnel-ports?ports=443,8443,10000", null);
                        result[i].TryAdd("https://tailscale.com/cap/warn-funnel-no-https", null);
                    }
                }
            }
        }

        return result;
    }
}
