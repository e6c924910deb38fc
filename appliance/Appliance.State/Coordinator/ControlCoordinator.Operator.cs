using Appliance.Protocol.Control;

namespace Appliance.State.Coordinator;

/// <summary>
/// Operator verbs and external changes. Each takes effect on connected peers at once (through the next flush):
/// expire sends the node its own past KeyExpiry and peers Expired:true; delete removes the peer and ends the
/// node's own streams so the client must re-register (headscale #3410).
/// </summary>
public sealed partial class ControlCoordinator
{
    public NodeOperationStatus Expire(long nodeId)
    {
        return Write(() =>
        {
            if (_snapshot.Find(nodeId) is not { } entry)
            {
                return NodeOperationStatus.NotFound;
            }

            var now = _time.GetUtcNow();
            var stored = _nodes.Update(entry.Record with { KeyExpiry = now, UpdatedAt = now });
            if (!stored.IsOk)
            {
                return NodeOperationStatus.Conflict;
            }

            var updated = Reproject(entry, stored.Row!);
            Publish(_snapshot.With(updated), changes => changes.AddFull(nodeId));
            return NodeOperationStatus.Ok;
        });
    }

    public NodeOperationStatus Delete(long nodeId)
    {
        return Write(() =>
        {
            if (_snapshot.Find(nodeId) is not { } entry)
            {
                return NodeOperationStatus.NotFound;
            }

            _nodes.Delete(nodeId);
            Publish(_snapshot.Without(entry), changes => changes.AddRemoved(nodeId));
            return NodeOperationStatus.Ok;
        });
    }

    /// <summary>Sets the MagicDNS label; the name must be a valid DNS label not used by another node.</summary>
    public NodeOperationStatus Rename(long nodeId, string newName)
    {
        ArgumentNullException.ThrowIfNull(newName);
        var label = newName.ToLowerInvariant();
        if (!DnsLabel.IsValid(label))
        {
            return NodeOperationStatus.InvalidName;
        }

        return Write(() =>
        {
            if (_snapshot.Find(nodeId) is not { } entry)
            {
                return NodeOperationStatus.NotFound;
            }

            if (_snapshot.ByGivenName.TryGetValue(label, out var holder) && holder != nodeId)
            {
                return NodeOperationStatus.Conflict;
            }

            var stored = _nodes.Update(entry.Record with { GivenName = label, UpdatedAt = _time.GetUtcNow() });
            if (!stored.IsOk)
            {
                return NodeOperationStatus.Conflict;
            }

            var updated = Reproject(entry, stored.Row!);
            Publish(_snapshot.Without(entry).With(updated), changes => changes.AddFull(nodeId));
            return NodeOperationStatus.Ok;
        });
    }

    /// <summary>
    /// Re-reads these nodes from the repository after another component changed them (State's NodeService, the
    /// admin API) and pushes them to peers; a node no longer stored is removed. Backs INodeChangeSink.
    /// </summary>
    public void Reload(IEnumerable<long> nodeIds)
    {
        ArgumentNullException.ThrowIfNull(nodeIds);
        var wanted = nodeIds.ToHashSet();
        Write(() =>
        {
            var stored = _nodes.LoadAll().Where(r => wanted.Contains(r.Id)).ToDictionary(r => r.Id);
            var snapshot = _snapshot;
            var changes = new List<(long Id, bool Removed)>();
            foreach (var id in wanted)
            {
                var current = snapshot.Find(id);
                if (stored.TryGetValue(id, out var record))
                {
                    var hostinfo = ParseHostinfo(record.HostinfoJson) ?? current?.Hostinfo;
                    var entry = Project(record, hostinfo, current?.Online ?? false, current?.Cap ?? 0, _time.GetUtcNow());
                    snapshot = WithUser((current is null ? snapshot : snapshot.Without(current)).With(entry), record.UserId);
                    changes.Add((id, false));
                }
                else if (current is not null)
                {
                    snapshot = snapshot.Without(current);
                    changes.Add((id, true));
                }
            }

            Publish(snapshot, set =>
            {
                foreach (var (id, removed) in changes)
                {
                    if (removed)
                    {
                        set.AddRemoved(id);
                    }
                    else
                    {
                        set.AddFull(id);
                    }
                }
            });
            return changes.Count;
        });
    }
}

public enum NodeOperationStatus
{
    Ok,
    NotFound,
    Conflict,
    InvalidName,
}
