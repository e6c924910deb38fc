using Appliance.Protocol.Control;

namespace Appliance.State.Coordinator;

/// <summary>
/// Derives every node's view from one shared form: each node's tailcfg.Node is projected once per change
/// (<see cref="NodeEntry.Wire"/>) and reused in every map. A full map is O(peers) references; a delta is built once
/// for all uninvolved receivers and personalised only for the nodes a change names, so one change costs
/// O(changed nodes + receivers), never O(N²) (the trap in shared/docs/performance.md).
/// Every node sees every other node until the policy engine prunes peers.
/// </summary>
public sealed class MapBuilder
{
    private static readonly Debug NoLogTail = new() { DisableLogTail = true };
    private readonly CoordinatorOptions _options;
    private readonly IDerpMapProvider _derp;
    private readonly IPacketFilterProvider _filter;
    private readonly TimeProvider _time;
    private readonly DNSConfig _dns;

    public MapBuilder(CoordinatorOptions options, IDerpMapProvider derp, IPacketFilterProvider filter, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _derp = derp;
        _filter = filter;
        _time = time;
        _dns = DnsConfigBuilder.Build(options.Dns, options.PrefixV4, options.PrefixV6);
    }

    /// <summary>The first message of a stream: self Node and full state (protocol.md §5.3).</summary>
    public MapResponse Full(TailnetSnapshot snapshot, NodeEntry self)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(self);
        var peers = new List<Node>(snapshot.Nodes.Count);
        var users = new HashSet<long> { self.Wire.User };
        foreach (var (id, entry) in snapshot.Nodes)
        {
            if (id != self.Id)
            {
                peers.Add(entry.Wire);
                users.Add(entry.Wire.User);
            }
        }

        return new MapResponse
        {
            Node = self.Wire,
            DERPMap = _derp.Current,
            Peers = peers.Count > 0 ? peers : null,
            DNSConfig = _dns,
            Domain = _options.TailnetName ?? _options.Dns.BaseDomain,
            CollectServices = false,
            PacketFilters = Filters(snapshot, self),
            UserProfiles = Profiles(snapshot, users),
            Debug = NoLogTail,
            ControlTime = _time.GetUtcNow(),
        };
    }

    /// <summary>The delta for a receiver; null when the change set holds nothing for it.</summary>
    public MapResponse? Delta(TailnetSnapshot snapshot, ChangeSet changes, long receiver)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(changes);
        var changed = new List<Node>();
        var users = new HashSet<long>();
        foreach (var id in changes.Full.Order())
        {
            if (id != receiver && snapshot.Find(id) is { } entry)
            {
                changed.Add(entry.Wire);
                users.Add(entry.Wire.User);
            }
        }

        var removed = changes.Removed.Where(id => id != receiver).Order().ToList();
        var patches = changes.Patches.Values.Where(p => p.NodeID != receiver).OrderBy(p => p.NodeID).ToList();
        var online = changes.Online.Where(kv => kv.Key != receiver).ToDictionary(kv => kv.Key, kv => kv.Value);
        var self = changes.Full.Contains(receiver) ? snapshot.Find(receiver) : null;
        if (self is not null)
        {
            users.Add(self.Wire.User);
        }

        if (changed.Count == 0 && removed.Count == 0 && patches.Count == 0 && online.Count == 0 && self is null)
        {
            return null;
        }

        return new MapResponse
        {
            Node = self?.Wire,
            PeersChanged = changed.Count > 0 ? changed : null,
            PeersRemoved = removed.Count > 0 ? removed : null,
            PeersChangedPatch = patches.Count > 0 ? patches : null,
            OnlineChange = online.Count > 0 ? online : null,
            UserProfiles = users.Count > 0 ? Profiles(snapshot, users) : null,
            ControlTime = _time.GetUtcNow(),
        };
    }

    private Dictionary<string, IReadOnlyList<FilterRule>?> Filters(TailnetSnapshot snapshot, NodeEntry self) =>
        new(StringComparer.Ordinal) { ["base"] = _filter.FilterFor(snapshot, self) };

    private static List<UserProfile> Profiles(TailnetSnapshot snapshot, HashSet<long> ids)
    {
        var profiles = new List<UserProfile>(ids.Count);
        foreach (var id in ids.Order())
        {
            if (id == NodeProjection.TaggedDevicesUserId)
            {
                profiles.Add(new UserProfile { ID = id, LoginName = "tagged-devices", DisplayName = "Tagged Devices" });
            }
            else if (snapshot.Users.TryGetValue(id, out var user))
            {
                profiles.Add(new UserProfile { ID = id, LoginName = user.Name, DisplayName = user.DisplayName ?? user.Name });
            }
        }

        return profiles;
    }
}
