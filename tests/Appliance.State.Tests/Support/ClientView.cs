using Appliance.Protocol.Control;

namespace Appliance.State.Tests.Support;

/// <summary>
/// A netmap kept from a map stream by the client's rules (tailscale control/controlclient/map.go, as TestKit's
/// TestNode does): Peers replaces the set when non-empty, PeersChanged replaces whole nodes, PeersRemoved removes,
/// PeersChangedPatch and OnlineChange patch.
/// </summary>
internal sealed class ClientView
{
    private readonly Dictionary<long, Node> _peers = [];

    public Node? Self { get; private set; }

    public IReadOnlyDictionary<long, Node> Peers => _peers;

    public int Messages { get; private set; }

    public void Apply(MapResponse message)
    {
        Messages++;
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
                _peers[patch.NodeID] = peer with
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

        foreach (var (id, online) in message.OnlineChange ?? new Dictionary<long, bool>())
        {
            if (_peers.TryGetValue(id, out var peer))
            {
                _peers[id] = peer with { Online = online };
            }
        }
    }
}
