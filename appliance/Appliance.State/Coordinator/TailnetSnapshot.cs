using Appliance.State.Identity;
using System.Collections.Immutable;
using System.Net;
using Appliance.Protocol.Keys;
using Appliance.State.Policy;

namespace Appliance.State.Coordinator;

/// <summary>
/// The whole tailnet as one immutable value. The coordinator builds a new snapshot per change and swaps it in
/// atomically; readers (map builders, DERP admission, the CLI) take <see cref="ControlCoordinator.Snapshot"/> and
/// never lock. Rules: docs/design/state.md.
/// </summary>
public sealed record TailnetSnapshot
{
    public static TailnetSnapshot Empty { get; } = new();

    public long Version { get; init; }

    public ImmutableSortedDictionary<long, NodeEntry> Nodes { get; init; } = ImmutableSortedDictionary<long, NodeEntry>.Empty;

    public ImmutableDictionary<NodePublic, long> ByNodeKey { get; init; } = ImmutableDictionary<NodePublic, long>.Empty;

    public ImmutableDictionary<MachinePublic, long> ByMachineKey { get; init; } = ImmutableDictionary<MachinePublic, long>.Empty;

    public ImmutableDictionary<string, long> ByGivenName { get; init; } = ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal);

    public ImmutableHashSet<IPAddress> Addresses { get; init; } = ImmutableHashSet<IPAddress>.Empty;

    public ImmutableDictionary<long, TailnetUser> Users { get; init; } = ImmutableDictionary<long, TailnetUser>.Empty;

    /// <summary>The live policy and every node's view of it (allow-all when no policy is configured).</summary>
    public TailnetPolicy Policy { get; init; } = TailnetPolicy.AllowAll;

    /// <summary>
    /// True when nodes changed in a way the policy depends on (users, tags, addresses, routes) since
    /// <see cref="Policy"/> was compiled. The coordinator recompiles before the next map or delta is built, so
    /// changes published while no stream needs a map cost one compile.
    /// </summary>
    public bool PolicyStale { get; init; }

    /// <summary>
    /// The primary router of every subnet prefix that a node serves (Routes/PrimaryRouteElection), re-elected on the
    /// writer whenever a router's health or routes change. Peers get a prefix only through its primary.
    /// </summary>
    public ImmutableDictionary<Appliance.Policy.Net.IPPrefix, long> PrimaryRoutes { get; init; } = ImmutableDictionary<Appliance.Policy.Net.IPPrefix, long>.Empty;

    /// <summary>Nodes that advertise a subnet route (not only exit routes): the only ones an election has to look at.</summary>
    public ImmutableSortedSet<long> Routers { get; init; } = ImmutableSortedSet<long>.Empty;

    public NodeEntry? FindByNodeKey(NodePublic key) => ByNodeKey.TryGetValue(key, out var id) ? Nodes[id] : null;

    public NodeEntry? FindByMachineKey(MachinePublic key) => ByMachineKey.TryGetValue(key, out var id) ? Nodes[id] : null;

    public NodeEntry? Find(long id) => Nodes.GetValueOrDefault(id);

    /// <summary>Adds or replaces a node, keeping every index consistent.</summary>
    public TailnetSnapshot With(NodeEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var old = Find(entry.Id);
        var without = old is not null ? Without(old) : this;
        var r = entry.Record;
        var addresses = without.Addresses;
        if (old is not null && Equals(old.Record.IPv4, r.IPv4) && Equals(old.Record.IPv6, r.IPv6))
        {
            // The node kept its addresses (almost every change): the same set, so its identity says "no address
            // changed" to the registration flow's allocation floor (RegistrationFlow.Addresses.cs).
            addresses = Addresses;
        }
        else
        {
            if (r.IPv4 is not null)
            {
                addresses = addresses.Add(r.IPv4);
            }

            if (r.IPv6 is not null)
            {
                addresses = addresses.Add(r.IPv6);
            }
        }

        return without with
        {
            Nodes = without.Nodes.SetItem(entry.Id, entry),
            ByNodeKey = without.ByNodeKey.SetItem(r.NodeKey, entry.Id),
            ByMachineKey = without.ByMachineKey.SetItem(r.MachineKey, entry.Id),
            ByGivenName = without.ByGivenName.SetItem(r.GivenName, entry.Id),
            Addresses = addresses,
        };
    }

    public TailnetSnapshot Without(NodeEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var r = entry.Record;
        var addresses = Addresses;
        if (r.IPv4 is not null)
        {
            addresses = addresses.Remove(r.IPv4);
        }

        if (r.IPv6 is not null)
        {
            addresses = addresses.Remove(r.IPv6);
        }

        return this with
        {
            Nodes = Nodes.Remove(entry.Id),
            ByNodeKey = ByNodeKey.Remove(r.NodeKey),
            ByMachineKey = ByMachineKey.Remove(r.MachineKey),
            ByGivenName = ByGivenName.Remove(r.GivenName),
            Addresses = addresses,
        };
    }
}
