using Appliance.Protocol.Control;

namespace Appliance.TestKit.Control;

/// <summary>
/// A client's netmap of peers kept from a map stream by tailscaled's rules (control/controlclient/map.go,
/// mapSession.updateStateFromResponse and applyPatch): <c>Peers</c> replaces the whole set only when non-empty,
/// <c>PeersChanged</c> replaces whole nodes, <c>PeersRemoved</c> removes, <c>PeersChangedPatch</c> and
/// <c>OnlineChange</c> patch the fields they name. <c>Node</c>, when present, is the new self node.
/// One implementation for TestNode, State's stream tests and the load generator. Not thread-safe: the owner locks.
/// </summary>
public sealed class PeerTable
{
    private readonly Dictionary<long, Node> _peers = [];

    public Node? Self { get; private set; }

    /// <summary>The live table (not a copy); read it under the owner's lock.</summary>
    public IReadOnlyDictionary<long, Node> Peers => _peers;

    public int Count => _peers.Count;

    /// <summary>Map messages applied, keep-alives included.</summary>
    public int Messages { get; private set; }

    public void Apply(MapResponse message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Messages++;
        if (message.KeepAlive)
        {
            return;
        }

        if (message.Node is { } self)
        {
            Self = self;
        }

        if (message.Peers is { Count: > 0 } peers)
        {
            _peers.Clear();
            foreach (var peer in peers)
            {
                _peers[peer.ID] = peer;
            }
        }

        foreach (var peer in message.PeersChanged ?? [])
        {
            _peers[peer.ID] = peer;
        }

        foreach (var id in message.PeersRemoved ?? [])
        {
            _peers.Remove(id);
        }

        foreach (var patch in message.PeersChangedPatch ?? [])
        {
            if (_peers.TryGetValue(patch.NodeID, out var peer))
            {
                _peers[patch.NodeID] = Patched(peer, patch);
            }
        }

        foreach (var (id, online) in message.OnlineChange ?? new Dictionary<long, bool>())
        {
            if (_peers.TryGetValue(id, out var peer))
            {
                _peers[id] = peer with { Online = online };
            }
        }
    }

    /// <summary>A PeerChange applied to a peer: only the fields it carries change (tailcfg.PeerChange's nil/zero = unchanged).</summary>
    public static Node Patched(Node peer, PeerChange patch)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(patch);
        return peer with
        {
            Endpoints = patch.Endpoints ?? peer.Endpoints,
            HomeDERP = patch.DERPRegion != 0 ? patch.DERPRegion : peer.HomeDERP,
            Key = patch.Key.IsZero ? peer.Key : patch.Key,
            DiscoKey = patch.DiscoKey.IsZero ? peer.DiscoKey : patch.DiscoKey,
            Online = patch.Online ?? peer.Online,
            KeyExpiry = patch.KeyExpiry ?? peer.KeyExpiry,
        };
    }
}
