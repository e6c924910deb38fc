using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Relay;

/// <summary>
/// Who is connected. Lookups on the packet path are lock-free (<see cref="_active"/>); connect, disconnect and the
/// switch between duplicate connections of one key take <see cref="_registryLock"/>, which is rare.
/// </summary>
public sealed partial class DerpServer
{
    private readonly Lock _registryLock = new();
    private readonly Dictionary<NodePublic, List<DerpConnection>> _byKey = [];
    private readonly ConcurrentDictionary<NodePublic, DerpConnection> _active = new();

    /// <summary>Number of distinct node keys connected.</summary>
    public int ConnectedKeys => _active.Count;

    /// <summary>True when <paramref name="node"/> has a connection here (for tests and the admin view).</summary>
    public bool IsConnected(NodePublic node) => _active.ContainsKey(node);

    internal bool TryGetActive(NodePublic node, [NotNullWhen(true)] out DerpConnection? connection) =>
        _active.TryGetValue(node, out connection);

    private void Register(DerpConnection connection)
    {
        var time = TimeProvider.GetTimestamp();
        connection.NextKeepAliveTimestamp = time + NextKeepAliveDelayTicks();
        lock (_registryLock)
        {
            if (!_byKey.TryGetValue(connection.Key, out var list))
            {
                list = [];
                _byKey[connection.Key] = list;
            }

            foreach (var other in list)
            {
                other.IsActive = false;
            }

            list.Add(connection);
            connection.IsActive = true;
            _active[connection.Key] = connection;
            NotifyWatchersPresentLocked(connection);
        }

        _connections[connection] = 0;
    }

    internal void MakeActive(DerpConnection connection)
    {
        lock (_registryLock)
        {
            if (!_byKey.TryGetValue(connection.Key, out var list) || !list.Contains(connection))
            {
                return;
            }

            foreach (var other in list)
            {
                other.IsActive = ReferenceEquals(other, connection);
            }

            _active[connection.Key] = connection;
        }
    }

    private void Unregister(DerpConnection connection)
    {
        _ = _connections.TryRemove(connection, out _);
        var lastOfKey = false;
        lock (_registryLock)
        {
            if (!_byKey.TryGetValue(connection.Key, out var list) || !list.Remove(connection))
            {
                return;
            }

            ForgetWatcherLocked(connection);
            if (list.Count == 0)
            {
                _ = _byKey.Remove(connection.Key);
                _ = _active.TryRemove(connection.Key, out _);
                lastOfKey = true;
                NotifyWatchersGoneLocked(connection);
            }
            else if (connection.IsActive)
            {
                var next = list[^1];
                next.IsActive = true;
                _active[connection.Key] = next;
            }
        }

        if (lastOfKey)
        {
            // Tell everyone who was sending to this key that it is gone, so they drop their route (derpserver.go, issue 150).
            foreach (var sender in connection.Senders)
            {
                if (_active.TryGetValue(sender, out var peer))
                {
                    _ = peer.TryEnqueuePeerGone(connection.Key, DerpPeerGoneReason.Disconnected);
                }
            }
        }
    }
}
