using System.Text.Json;
using Appliance.Protocol.Control;
using Appliance.Policy.Net;
using P = Appliance.Policy.Compilation;

namespace Appliance.State.Policy;

/// <summary>
/// The compiler's tailcfg shapes (Appliance.Policy keeps its own records so it stays free of the protocol library)
/// turned into the protocol types a MapResponse carries. Field meanings: docs/wire/control.md "Packet filter and SSH policy" (tailscale tailcfg/tailcfg.go FilterRule, SSHPolicy).
/// </summary>
internal static class PolicyWire
{
    public static IReadOnlyList<FilterRule> Filter(IReadOnlyList<P.FilterRule> rules) =>
        [.. rules.Select(r => new FilterRule
        {
            SrcIPs = r.SrcIPs,
            DstPorts = r.DstPorts?.Select(d => new NetPortRange { IP = d.IP, Ports = new PortRange { First = d.Ports.First, Last = d.Ports.Last } }).ToList(),
            IPProto = r.IPProto,
            CapGrant = r.CapGrant?.Select(g => new CapGrant { Dsts = g.Dsts, CapMap = CapMap(g.CapMap) }).ToList(),
        })];

    /// <summary>tailcfg.Node.Addresses: each address as a host prefix (/32 or /128), as NodeProjection writes them.</summary>
    public static List<string> Addresses(IReadOnlyList<IPAddr> addresses) =>
        [.. addresses.Select(a => IPPrefix.Host(a).ToString())];

    /// <summary>A null value list in the policy is sent as an empty list (tailcfg's []RawMessage).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> CapMap(IReadOnlyDictionary<string, IReadOnlyList<JsonElement>?> caps) =>
        caps.ToDictionary(kv => kv.Key, kv => kv.Value ?? (IReadOnlyList<JsonElement>)[], StringComparer.Ordinal);

    /// <summary>
    /// The node's SSH policy. An empty rule list is still sent (not nil): nil would mean "unchanged" to a client that
    /// had rules before.
    /// </summary>
    public static SSHPolicy Ssh(IReadOnlyList<P.SSHRule> rules) => new()
    {
        Rules = [.. rules.Select(r => new SSHRule
        {
            Principals = [.. r.Principals.Select(p => new SSHPrincipal { NodeIP = p.NodeIP })],
            SshUsers = r.SshUsers,
            Action = new SSHAction
            {
                Accept = r.Action.Accept,
                AllowAgentForwarding = r.Action.AllowAgentForwarding,
                AllowLocalPortForwarding = r.Action.AllowLocalPortForwarding,
                AllowRemotePortForwarding = r.Action.AllowRemotePortForwarding,
                HoldAndDelegate = r.Action.HoldAndDelegate,
            },
            AcceptEnv = r.AcceptEnv,
        })],
    };
}
