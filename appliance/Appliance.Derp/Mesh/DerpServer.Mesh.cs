using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using Appliance.Derp.Mesh;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Relay;

/// <summary>
/// The mesh half of the relay (tailscale derp/derpserver/derpserver.go: addWatcher, broadcastPeerStateChangeLocked,
/// handleFrameForwardPacket, handleFrameClosePeer; cmd/derper/mesh.go). Two tables:
/// <list type="bullet">
/// <item>watchers: connections of mesh peers that sent WatchConns; each is told PeerPresent/PeerGone for every local
/// client, so the peer knows which keys are homed here;</item>
/// <item>clients elsewhere: key → the <see cref="IDerpMeshForwarder"/> of the peer that announced it; a packet for a
/// key not connected here goes there as ForwardPacket.</item>
/// </list>
/// A forwarded packet is only ever delivered to a local client, never forwarded again, so a packet cannot loop.
/// </summary>
public sealed partial class DerpServer
{
    /// <summary>derpserver.go PeerPresentFlags: PeerPresentIsRegular (a client, not a mesh peer or prober).</summary>
    private const byte PeerPresentIsRegular = 1;

    private readonly HashSet<DerpConnection> _watchers = [];
    private readonly ConcurrentDictionary<NodePublic, IDerpMeshForwarder> _elsewhere = new();

    public DerpMeshMetrics MeshMetrics { get; } = new();

    /// <summary>Number of keys that mesh peers announced as homed on them.</summary>
    public int RemoteClients => _elsewhere.Count;

    /// <summary>Number of mesh peers watching this server's connections.</summary>
    public int MeshWatchers
    {
        get
        {
            lock (_registryLock)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>True when a mesh peer announced <paramref name="node"/> as connected to it.</summary>
    public bool IsHeldElsewhere(NodePublic node) => _elsewhere.ContainsKey(node);

    /// <summary>A mesh peer announced <paramref name="node"/> (PeerPresent): packets for it go through <paramref name="via"/> while it is not connected here.</summary>
    public void AddRemoteClient(NodePublic node, IDerpMeshForwarder via)
    {
        ArgumentNullException.ThrowIfNull(via);
        _elsewhere[node] = via;
    }

    /// <summary>A mesh peer said <paramref name="node"/> left it (PeerGone). Ignored when another peer announced it since.</summary>
    public void RemoveRemoteClient(NodePublic node, IDerpMeshForwarder via) =>
        _ = _elsewhere.TryRemove(new KeyValuePair<NodePublic, IDerpMeshForwarder>(node, via));

    /// <summary>The link to a mesh peer went down: forget every key it announced.</summary>
    public void RemoveRemoteClients(IDerpMeshForwarder via)
    {
        foreach (var (key, forwarder) in _elsewhere)
        {
            if (ReferenceEquals(forwarder, via))
            {
                RemoveRemoteClient(key, via);
            }
        }
    }

    /// <summary>Sends a packet for a key that is not connected here to the mesh peer that holds it; false when none does.</summary>
    internal bool TryForwardElsewhere(NodePublic source, NodePublic destination, in ReadOnlySequence<byte> packet)
    {
        if (!_elsewhere.TryGetValue(destination, out var via))
        {
            return false;
        }

        if (via.TryForward(source, destination, packet))
        {
            _ = Interlocked.Increment(ref MeshMetrics.PacketsForwardedValue);
        }
        else
        {
            _ = Interlocked.Increment(ref MeshMetrics.PacketsForwardDroppedValue);
        }

        return true;
    }

    /// <summary>
    /// WatchConns from a mesh peer: it is told every local client now and every arrival and departure from now on.
    /// Done under the registry lock, as registrations are, so no arrival or departure falls between the two.
    /// </summary>
    internal void AddWatcher(DerpConnection watcher)
    {
        lock (_registryLock)
        {
            if (!_watchers.Add(watcher))
            {
                return;
            }

            foreach (var (key, connection) in _active)
            {
                if (!connection.CanMesh)
                {
                    _ = watcher.TryEnqueueMeshControl(DerpFrameType.PeerPresent, PeerPresentPayload(key, connection.Remote));
                }
            }
        }
    }

    /// <summary>ForwardPacket from a mesh peer: delivered to the local client, or dropped; never forwarded again.</summary>
    internal void DeliverForwarded(NodePublic source, NodePublic destination, in ReadOnlySequence<byte> packet)
    {
        if (TryGetActive(destination, out var target))
        {
            _ = Interlocked.Increment(ref MeshMetrics.PacketsReceivedValue);
            _ = target.TryEnqueuePacket(source, packet);
            return;
        }

        _ = Interlocked.Increment(ref Metrics.PacketsDroppedUnknownDestinationValue);
    }

    /// <summary>Call with <see cref="_registryLock"/> held: a client became reachable here.</summary>
    private void NotifyWatchersPresentLocked(DerpConnection connection)
    {
        if (connection.CanMesh || _watchers.Count == 0)
        {
            return;
        }

        var payload = PeerPresentPayload(connection.Key, connection.Remote);
        foreach (var watcher in _watchers)
        {
            _ = watcher.TryEnqueueMeshControl(DerpFrameType.PeerPresent, payload);
        }
    }

    /// <summary>Call with <see cref="_registryLock"/> held: a connection left (a watcher stops watching).</summary>
    private void ForgetWatcherLocked(DerpConnection connection) => _ = _watchers.Remove(connection);

    /// <summary>Call with <see cref="_registryLock"/> held: the last connection of a key left.</summary>
    private void NotifyWatchersGoneLocked(DerpConnection connection)
    {
        if (connection.CanMesh || _watchers.Count == 0)
        {
            return;
        }

        Span<byte> payload = stackalloc byte[DerpConstants.KeyLength + 1];
        connection.Key.CopyTo(payload);
        payload[DerpConstants.KeyLength] = (byte)DerpPeerGoneReason.Disconnected;
        foreach (var watcher in _watchers)
        {
            _ = watcher.TryEnqueueMeshControl(DerpFrameType.PeerGone, payload);
        }
    }

    /// <summary>PeerPresent: key · IPv6 (v4-mapped) · port u16 BE · flags (derp.go framePeerPresent).</summary>
    private static byte[] PeerPresentPayload(NodePublic key, IPEndPoint? remote)
    {
        var payload = new byte[DerpConstants.KeyLength + 16 + 2 + 1];
        key.CopyTo(payload);
        if (remote is not null)
        {
            var address = remote.Address.IsIPv4MappedToIPv6 || remote.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? remote.Address
                : remote.Address.MapToIPv6();
            _ = address.TryWriteBytes(payload.AsSpan(DerpConstants.KeyLength, 16), out _);
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(DerpConstants.KeyLength + 16), (ushort)remote.Port);
        }

        payload[^1] = PeerPresentIsRegular;
        return payload;
    }
}
