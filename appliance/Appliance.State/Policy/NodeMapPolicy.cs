using System.Text.Json;
using Appliance.Protocol.Control;

namespace Appliance.State.Policy;

/// <summary>
/// What the policy gives one node's map, in wire form: its packet filter, SSH policy, self routes and
/// capabilities, and the peers it may see with the routes it may use through each. Built once per compile and
/// kept in the snapshot; an object is reused across compiles when nothing in it changed, so "did this node's view
/// change?" is usually a reference comparison. The <c>...Key</c> strings are canonical JSON used for the
/// structural comparisons.
/// </summary>
public sealed class NodeMapPolicy
{
    internal NodeMapPolicy(
        long nodeId,
        IReadOnlyList<FilterRule> packetFilter,
        SSHPolicy ssh,
        IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> capMap,
        IReadOnlyList<string> allowedIPs,
        IReadOnlyList<string>? primaryRoutes,
        IReadOnlyDictionary<long, PeerRoutes> peers,
        IReadOnlyList<string>? addresses = null)
    {
        NodeId = nodeId;
        PacketFilter = packetFilter;
        Ssh = ssh;
        CapMap = capMap;
        AllowedIPs = allowedIPs;
        PrimaryRoutes = primaryRoutes;
        Peers = peers;
        Addresses = addresses;
        FilterKey = JsonSerializer.Serialize(packetFilter, ControlJsonContext.Default.IReadOnlyListFilterRule);
        SshKey = JsonSerializer.Serialize(ssh, ControlJsonContext.Default.SSHPolicy);
        SelfKey = string.Join(',', allowedIPs) + "|" + string.Join(',', primaryRoutes ?? []) + "|" + CapKey(capMap)
            + (addresses is null ? "" : "|" + string.Join(',', addresses));
    }

    public long NodeId { get; }

    public IReadOnlyList<FilterRule> PacketFilter { get; }

    public SSHPolicy Ssh { get; }

    public IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> CapMap { get; }

    public IReadOnlyList<string> AllowedIPs { get; }

    public IReadOnlyList<string>? PrimaryRoutes { get; }

    /// <summary>
    /// The node's own addresses when the policy withholds some of them (disable-ipv4 leaves only IPv6); null when
    /// the node keeps the addresses it was allocated, so the shared tailcfg.Node's list is sent as it is.
    /// </summary>
    public IReadOnlyList<string>? Addresses { get; }

    /// <summary>Peer id → the routes this node may use through that peer. A peer not listed is invisible.</summary>
    public IReadOnlyDictionary<long, PeerRoutes> Peers { get; }

    internal string FilterKey { get; }

    internal string SshKey { get; }

    internal string SelfKey { get; }

    public bool CanSee(long peer) => Peers.ContainsKey(peer);

    /// <summary>The node's own tailcfg.Node with the policy's routes and capabilities applied.</summary>
    public Node ApplyToSelf(Node wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        return wire with { Addresses = Addresses ?? wire.Addresses, AllowedIPs = AllowedIPs, PrimaryRoutes = PrimaryRoutes, CapMap = CapMap };
    }

    /// <summary>True when every part of the two views is the same.</summary>
    public bool SameAs(NodeMapPolicy other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (FilterKey != other.FilterKey || SshKey != other.SshKey || SelfKey != other.SelfKey || Peers.Count != other.Peers.Count)
        {
            return false;
        }

        foreach (var (id, routes) in Peers)
        {
            if (!other.Peers.TryGetValue(id, out var theirs) || !routes.SameAs(theirs))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <see cref="SameAs"/> without walking every peer: views that share class dictionaries are the same when
    /// they share the same dictionary object and their own entries agree. False may still mean equal (a different
    /// class dictionary object with the same entries); a rebuild then keeps the new object, which is only slower.
    /// </summary>
    internal bool SameAsCheaply(NodeMapPolicy other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (FilterKey != other.FilterKey || SshKey != other.SshKey || SelfKey != other.SelfKey || Peers.Count != other.Peers.Count)
        {
            return false;
        }

        return (Peers, other.Peers) switch
        {
            (ClassPeers mine, ClassPeers theirs) => ReferenceEquals(mine.Shared, theirs.Shared) && mine.Self == theirs.Self
                && mine.Personal.Count == theirs.Personal.Count
                && mine.Personal.All(kv => theirs.Personal.TryGetValue(kv.Key, out var r) && kv.Value.SameAs(r)),
            (ClassPeers, _) or (_, ClassPeers) => false,
            _ => SameAs(other),
        };
    }

    private static string CapKey(IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> caps) =>
        string.Join(";", caps.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key + "=" + string.Join(",", kv.Value.Select(v => v.GetRawText()))));
}

/// <summary>
/// A peer as one viewer sees it: the AllowedIPs and PrimaryRoutes its tailcfg.Node carries for that viewer, and its
/// Addresses when the policy withholds some (the peer or the viewer has disable-ipv4).
/// </summary>
public sealed class PeerRoutes
{
    internal PeerRoutes(IReadOnlyList<string> allowedIPs, IReadOnlyList<string>? primaryRoutes, IReadOnlyList<string>? addresses = null)
    {
        AllowedIPs = allowedIPs;
        PrimaryRoutes = primaryRoutes;
        Addresses = addresses;
        Key = string.Join(',', allowedIPs) + "|" + string.Join(',', primaryRoutes ?? [])
            + (addresses is null ? "" : "|" + string.Join(',', addresses));
    }

    public IReadOnlyList<string> AllowedIPs { get; }

    public IReadOnlyList<string>? PrimaryRoutes { get; }

    /// <summary>The peer's addresses as this viewer sees them; null when they are the peer's own (the common case).</summary>
    public IReadOnlyList<string>? Addresses { get; }

    internal string Key { get; }

    public bool SameAs(PeerRoutes other) => ReferenceEquals(this, other) || Key == other?.Key;

    /// <summary>The peer's shared tailcfg.Node, or a copy with this viewer's routes and addresses when they differ.</summary>
    public Node ApplyTo(Node wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        var same = Addresses is null
            && wire.AllowedIPs is { } allowed && allowed.SequenceEqual(AllowedIPs)
            && (wire.PrimaryRoutes ?? []).SequenceEqual(PrimaryRoutes ?? []);
        return same ? wire : wire with { Addresses = Addresses ?? wire.Addresses, AllowedIPs = AllowedIPs, PrimaryRoutes = PrimaryRoutes };
    }
}
