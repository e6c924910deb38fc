using Appliance.Protocol.Control;
using Appliance.State.Policy;

namespace Appliance.State.Coordinator;

/// <summary>
/// Derives every node's view from one shared form: each node's tailcfg.Node is projected once per change
/// (<see cref="NodeEntry.Wire"/>) and reused in every map. A full map is O(peers) references; a delta is built once
/// for all uninvolved receivers and personalised only for the nodes a change names, so one change costs
/// O(changed nodes + receivers), never O(N²) (docs/architecture.md "Map streams": rebuilding every map per change is the trap).
/// With a policy, each node's map is cut from its <see cref="NodeMapPolicy"/> (peers it may see, their routes
/// for it, its filter and SSH policy); without one every node sees every other node (allow-all).
/// </summary>
public sealed class MapBuilder
{
    private static readonly Debug NoLogTail = new() { DisableLogTail = true };

    /// <summary>Sent when a policy with SSH rules is removed: nil would leave the client's old rules in place.</summary>
    private static readonly SSHPolicy NoSsh = new() { Rules = [] };
    private readonly CoordinatorOptions _options;
    private readonly IDerpMapProvider _derp;
    private readonly IPacketFilterProvider _filter;
    private readonly TimeProvider _time;
    private readonly DNSConfig _dns;
    private readonly PeerBlockCache _peerBlocks = new();

    public MapBuilder(CoordinatorOptions options, IDerpMapProvider derp, IPacketFilterProvider filter, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _derp = derp;
        _filter = filter;
        _time = time;
        _dns = DnsConfigBuilder.Build(options.Dns, options.PrefixV4, options.PrefixV6);
    }

    /// <summary>The compressed peer blocks full maps are made of (<see cref="FullFramed"/>).</summary>
    public PeerBlockCache PeerBlocks => _peerBlocks;

    /// <summary>The first message of a stream: self Node and full state (docs/wire/control.md "/machine/map"; tailscale control/controlclient/map.go).</summary>
    public MapResponse Full(TailnetSnapshot snapshot, NodeEntry self)
    {
        var peers = new List<Node>();
        var message = FullWithoutPeers(snapshot, self, (_, peer) => peers.Add(peer));
        return peers.Count > 0 ? message with { Peers = peers } : message;
    }

    /// <summary>
    /// <see cref="Full"/> framed into a rented buffer, each peer's JSON taken from <see cref="NodeJson"/>: a peer
    /// whose Node is the shared projection (every peer without a policy, every peer but routers with one) is encoded
    /// once per change and then copied into every full map, so a full map costs O(peers) copies, not serializations.
    /// For zstd, blocks of such peers are kept compressed (<see cref="PeerBlocks"/>), so a full map costs one
    /// compressed block per changed block of 64 peers, not a compression of every peer.
    /// </summary>
    public PooledFrame FullFramed(TailnetSnapshot snapshot, NodeEntry self, bool zstd)
    {
        if (zstd)
        {
            // Every current client: whole blocks of unchanged peers are copied compressed (PeerBlockCache).
            var peers = new List<PeerJson>(snapshot.Nodes.Count);
            var rest = FullWithoutPeers(snapshot, self, (entry, peer) => peers.Add(new PeerJson(peer, ReferenceEquals(peer, entry.Wire))));
            return _peerBlocks.FrameZstd(rest, peers, self.Id);
        }

        var encoded = new List<byte[]>();
        var message = FullWithoutPeers(snapshot, self, (entry, peer) =>
            encoded.Add(ReferenceEquals(peer, entry.Wire) ? NodeJson.Shared(peer) : NodeJson.Encode(peer)));
        return MapMessageWriter.FramePooled(message, encoded, zstd);
    }

    private MapResponse FullWithoutPeers(TailnetSnapshot snapshot, NodeEntry self, Action<NodeEntry, Node> addPeerOf)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(self);
        var view = snapshot.Policy.ViewOf(self.Id);
        var users = new HashSet<long> { self.Wire.User };
        if (view is null)
        {
            foreach (var (id, entry) in snapshot.Nodes)
            {
                if (id != self.Id)
                {
                    addPeerOf(entry, entry.Wire);
                    users.Add(entry.Wire.User);
                }
            }
        }
        else
        {
            foreach (var (id, routes) in view.Peers.OrderBy(kv => kv.Key))
            {
                if (id != self.Id && snapshot.Find(id) is { } entry)
                {
                    addPeerOf(entry, routes.ApplyTo(entry.Wire));
                    users.Add(entry.Wire.User);
                }
            }
        }

        return new MapResponse
        {
            Node = view?.ApplyToSelf(self.Wire) ?? self.Wire,
            DERPMap = _derp.Current,
            DNSConfig = _dns,
            Domain = _options.TailnetName ?? _options.Dns.BaseDomain,
            CollectServices = false,
            PacketFilters = Filters(snapshot, self, view),
            SSHPolicy = view?.Ssh,
            UserProfiles = Profiles(snapshot, users),
            Debug = NoLogTail,
            ControlTime = _time.GetUtcNow(),
        };
    }

    /// <summary>
    /// The delta that takes a receiver from <paramref name="baseline"/> (what its client has) to
    /// <paramref name="snapshot"/> when a policy is involved on either side; null when nothing changed for it.
    /// Peers it can no longer see are removed, newly visible ones (or ones whose routes for it changed) are sent
    /// whole, and changes to invisible peers are not sent at all. PacketFilters and SSHPolicy are included only when
    /// its own filter or SSH rules changed (nil means unchanged: docs/wire/control.md "Delta semantics"; tailscale tailcfg/tailcfg.go MapResponse).
    /// </summary>
    public MapResponse? PolicyDelta(TailnetSnapshot baseline, TailnetSnapshot snapshot, ChangeSet changes, long receiver)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(changes);
        var oldView = baseline.Policy.ViewOf(receiver);
        var newView = snapshot.Policy.ViewOf(receiver);
        bool OldVisible(long p) => p != receiver && (oldView is null ? baseline.Nodes.ContainsKey(p) : oldView.CanSee(p));
        bool NewVisible(long p) => p != receiver && snapshot.Nodes.ContainsKey(p) && (newView is null || newView.CanSee(p));

        var changed = new SortedSet<long>();
        var removed = new SortedSet<long>();
        if (!ReferenceEquals(oldView, newView) && oldView is not null && newView is not null)
        {
            // Only the peers that differ between the two views can be removed or changed (a peer in both with the
            // same routes stays as the client has it): O(changes) per receiver when the views share classes.
            foreach (var p in PolicyEvaluator.ChangedPeers(oldView, newView))
            {
                if (oldView.CanSee(p) && !NewVisible(p))
                {
                    removed.Add(p);
                }
                else if (newView.CanSee(p) && NewVisible(p))
                {
                    changed.Add(p);
                }
            }
        }
        else if (!ReferenceEquals(oldView, newView))
        {
            foreach (var p in oldView?.Peers.Keys ?? baseline.Nodes.Keys)
            {
                if (!NewVisible(p))
                {
                    removed.Add(p);
                }
            }

            foreach (var p in newView?.Peers.Keys ?? snapshot.Nodes.Keys)
            {
                if (!NewVisible(p))
                {
                    continue;
                }

                // Switching between allow-all and a policy resends every peer: their routes may differ.
                if (!OldVisible(p) || oldView is null || newView is null || !oldView.Peers[p].SameAs(newView.Peers[p]))
                {
                    changed.Add(p);
                }
            }
        }

        foreach (var id in changes.Full)
        {
            if (NewVisible(id))
            {
                changed.Add(id);
            }
        }

        foreach (var id in changes.Removed)
        {
            if (OldVisible(id) && !NewVisible(id))
            {
                removed.Add(id);
            }
        }

        var users = new HashSet<long>();
        var peers = new List<Node>(changed.Count);
        foreach (var id in changed)
        {
            var entry = snapshot.Find(id)!;
            peers.Add(newView is null ? entry.Wire : newView.Peers[id].ApplyTo(entry.Wire));
            users.Add(entry.Wire.User);
        }

        var patches = changes.Patches.Values.Where(p => NewVisible(p.NodeID) && !changed.Contains(p.NodeID)).OrderBy(p => p.NodeID).ToList();
        var online = changes.Online.Where(kv => NewVisible(kv.Key) && !changed.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var selfChanged = changes.Full.Contains(receiver) || oldView?.SelfKey != newView?.SelfKey;
        var self = selfChanged ? snapshot.Find(receiver) : null;
        if (self is not null)
        {
            users.Add(self.Wire.User);
        }

        var filterChanged = oldView?.FilterKey != newView?.FilterKey;
        var sshChanged = oldView?.SshKey != newView?.SshKey;
        if (peers.Count == 0 && removed.Count == 0 && patches.Count == 0 && online.Count == 0 && self is null && !filterChanged && !sshChanged)
        {
            return null;
        }

        return new MapResponse
        {
            Node = self is null ? null : newView?.ApplyToSelf(self.Wire) ?? self.Wire,
            PeersChanged = peers.Count > 0 ? peers : null,
            PeersRemoved = removed.Count > 0 ? removed.ToList() : null,
            PeersChangedPatch = patches.Count > 0 ? patches : null,
            OnlineChange = online.Count > 0 ? online : null,
            PacketFilters = filterChanged && snapshot.Find(receiver) is { } me ? Filters(snapshot, me, newView) : null,
            SSHPolicy = sshChanged ? newView?.Ssh ?? NoSsh : null,
            UserProfiles = users.Count > 0 ? Profiles(snapshot, users) : null,
            ControlTime = _time.GetUtcNow(),
        };
    }

    /// <summary>
    /// A key equal for every receiver whose <see cref="PolicyDelta"/> over this range is the same message, so the
    /// hub encodes it once: receivers the range does not name whose old and new views share class dictionaries
    /// (with no own entries, the same filter, SSH and self parts, and no change to their own entry). Null when the
    /// receiver's delta is its own.
    /// </summary>
    public static object? PolicyShareKey(TailnetSnapshot baseline, TailnetSnapshot snapshot, ChangeSet changes, long receiver)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(changes);
        return changes.Involves(receiver) || baseline.Policy.ViewOf(receiver) is not { } oldView || snapshot.Policy.ViewOf(receiver) is not { } newView
            ? null
            : PolicyEvaluator.ClassShareKey(oldView, newView);
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

    private Dictionary<string, IReadOnlyList<FilterRule>?> Filters(TailnetSnapshot snapshot, NodeEntry self, NodeMapPolicy? view) =>
        new(StringComparer.Ordinal) { ["base"] = view?.PacketFilter ?? _filter.FilterFor(snapshot, self) };

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
