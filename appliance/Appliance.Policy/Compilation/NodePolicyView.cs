using System.Text.Json;
using Appliance.Policy.Net;

namespace Appliance.Policy.Compilation;

/// <summary>A peer as one node may see it: its routes that node may use, and which of them are primary.</summary>
public sealed record PeerView(long NodeId, IReadOnlyList<string> AllowedIPs, IReadOnlyList<IPPrefix> PrimaryRoutes)
{
    /// <summary>The peer's addresses as the policy leaves them (no IPv4 when its nodeAttrs say disable-ipv4).</summary>
    public IReadOnlyList<IPAddr> Addresses { get; init; } = [];
}

/// <summary>
/// Everything the policy decides for one node's network map: its packet filter, the peers it may see (with the
/// routes it may use through each), its SSH policy and its node capabilities.
/// </summary>
public sealed record NodePolicyView(
    long NodeId,
    IReadOnlyList<FilterRule> PacketFilter,
    IReadOnlyList<PeerView> Peers,
    IReadOnlyList<SSHRule> SshRules,
    IReadOnlyDictionary<string, IReadOnlyList<JsonElement>?> CapMap,
    IReadOnlyList<string> AllowedIPs,
    IReadOnlyList<IPPrefix> PrimaryRoutes)
{
    /// <summary>The node's own addresses as the policy leaves them (no IPv4 when its nodeAttrs say disable-ipv4).</summary>
    public IReadOnlyList<IPAddr> Addresses { get; init; } = [];
}
