using System.Collections.Immutable;
using Appliance.State.Nodes;

namespace Appliance.State.Coordinator;

/// <summary>
/// Changes another appliance on the same database committed, applied as commands on this writer (docs/ops/ha.md):
/// the row is re-read and published like a local change, so this instance's streams hear it through the usual
/// fan-out and there is never a second writer. Also presence: a node is online while it has a stream here or on
/// another live instance.
/// </summary>
public sealed partial class ControlCoordinator
{
    private ImmutableHashSet<long> _onlineElsewhere = [];
    private IClusterPresence? _presence;

    /// <summary>True when other appliances share this database (a registration conflict is then re-decided).</summary>
    internal bool IsShared => _presence is not null;
    private IRunOnceLease? _leases;

    /// <summary>Attaches the shared database's presence table and leases (PostgreSQL only); call before <see cref="Start"/>.</summary>
    public void AttachCluster(IClusterPresence presence, IRunOnceLease leases)
    {
        _presence = presence;
        _leases = leases;
    }

    /// <summary>
    /// Whether this instance does <paramref name="work"/> now: always alone, else when it holds the work's lease
    /// in the database (taken or renewed here). A database that cannot be asked means no.
    /// </summary>
    private bool RunOnce(string work)
    {
        if (_leases is not { } leases)
        {
            return true;
        }

        try
        {
            return leases.TryTake(work);
        }
        catch (Exception e) when (Commands.StorageFaults.IsStorageFault(e))
        {
            StateEvents.StorageWriteFailed(_log, e, "take lease " + work);
            return false;
        }
    }

    /// <summary>Re-reads node <paramref name="nodeId"/> and publishes it (added, changed or removed). True when something changed.</summary>
    public bool ApplyStoredNode(long nodeId) => Write(() => ApplyStoredNodeLocked(nodeId, _nodes.Find(nodeId)));

    /// <summary>Re-reads user <paramref name="userId"/>: a renamed user's nodes are re-sent, a deleted one leaves the snapshot.</summary>
    public bool ApplyStoredUser(long userId) => Write(() =>
    {
        var user = _users.Find(userId);
        var snapshot = _snapshot;
        if (user is null)
        {
            if (!snapshot.Users.ContainsKey(userId))
            {
                return false;
            }

            Apply(new Commands.TailnetEffect { UserDeleted = userId });
            return true;
        }

        if (!snapshot.Users.TryGetValue(userId, out var known))
        {
            // A user with no nodes yet: the policy may still name it, so the snapshot learns it.
            var next = snapshot with { Users = snapshot.Users.SetItem(userId, user) };
            Publish(next.Policy.IsActive ? next with { PolicyStale = true } : next, _ => { });
            return true;
        }

        if (known == user)
        {
            return false;
        }

        Apply(new Commands.TailnetEffect { UserSaved = user });
        return true;
    });

    /// <summary>
    /// Sets which nodes have a stream on another live instance and publishes the online changes that follow for nodes
    /// without a stream here. <paramref name="onlineElsewhere"/> is the whole set (a sweep or start-up) or, with
    /// <paramref name="only"/>, the answer for that one node.
    /// </summary>
    public int ApplyPresence(IReadOnlySet<long> onlineElsewhere, long? only = null) => Write(() =>
    {
        var before = _onlineElsewhere;
        var after = only is { } id
            ? (onlineElsewhere.Contains(id) ? before.Add(id) : before.Remove(id))
            : [.. onlineElsewhere];
        Volatile.Write(ref _onlineElsewhere, after);

        var snapshot = _snapshot;
        var flipped = new List<(long Id, bool Online)>();
        foreach (var entry in only is { } one ? (snapshot.Find(one) is { } e ? [e] : []) : snapshot.Nodes.Values)
        {
            var online = Streams.HasStream(entry.Id) || after.Contains(entry.Id);
            if (online != entry.Online)
            {
                snapshot = snapshot.With(Reproject(entry, online: online));
                flipped.Add((entry.Id, online));
            }
        }

        if (flipped.Count > 0)
        {
            Publish(snapshot, changes => flipped.ForEach(f => changes.AddOnline(f.Id, f.Online)));
        }

        return flipped.Count;
    });

    /// <summary>
    /// Brings the snapshot in line with every stored node (start-up on a shared database, and a registration whose
    /// insert collided with a row another instance wrote and this one has not heard of yet). Call on the writer.
    /// </summary>
    internal void ReconcileLocked()
    {
        AssertWriter();
        var stored = _nodes.LoadAll().ToDictionary(r => r.Id);
        foreach (var id in _snapshot.Nodes.Keys.Where(id => !stored.ContainsKey(id)).ToList())
        {
            ApplyStoredNodeLocked(id, null);
        }

        foreach (var record in stored.Values)
        {
            if (_snapshot.Find(record.Id) is not { } known || !SameRow(known.Record, record))
            {
                ApplyStoredNodeLocked(record.Id, record);
            }
        }
    }

    /// <summary>Re-reads every stored node (see <see cref="ReconcileLocked"/>).</summary>
    public void Reconcile() => Write(() =>
    {
        ReconcileLocked();
        return 0;
    });

    private bool ApplyStoredNodeLocked(long nodeId, TailnetNode? record)
    {
        var snapshot = _snapshot;
        var existing = snapshot.Find(nodeId);
        if (record is null)
        {
            if (existing is null)
            {
                return false;
            }

            Publish(snapshot.Without(existing), changes => changes.AddRemoved(nodeId));
            StateEvents.NodeDeleted(_log, nodeId, existing.Record.GivenName, "on another instance");
            return true;
        }

        if (existing is not null && SameRow(existing.Record, record))
        {
            return false;
        }

        var online = IsOnline(nodeId) == true;
        var hostinfo = ParseHostinfo(record.HostinfoJson);
        var entry = existing is null
            ? Project(record, hostinfo, online, 0, _time.GetUtcNow())
            : Reproject(existing, record, hostinfo, online);
        var next = existing is null ? snapshot : snapshot.Without(existing);
        Publish(WithUser(next.With(entry), record.UserId), changes => changes.AddFull(nodeId));
        return true;
    }

    /// <summary>Rows compared by value (ImmutableArray fields compare by reference in the record's own equality).</summary>
    private static bool SameRow(TailnetNode a, TailnetNode b) =>
        a.Id == b.Id && a.NodeKey == b.NodeKey && a.MachineKey == b.MachineKey && a.DiscoKey == b.DiscoKey
        && a.Hostname == b.Hostname && a.GivenName == b.GivenName && a.UserId == b.UserId && a.HostinfoJson == b.HostinfoJson
        && a.KeyExpiry == b.KeyExpiry && a.LastSeen == b.LastSeen && a.UpdatedAt == b.UpdatedAt && a.Ephemeral == b.Ephemeral
        && Equals(a.IPv4, b.IPv4) && Equals(a.IPv6, b.IPv6) && a.AuthKeyId == b.AuthKeyId && a.RegisterMethod == b.RegisterMethod
        && Same(a.Tags, b.Tags) && Same(a.Endpoints, b.Endpoints) && Same(a.ApprovedRoutes, b.ApprovedRoutes);

    private static bool Same<T>(ImmutableArray<T> a, ImmutableArray<T> b) =>
        (a.IsDefault ? [] : a).SequenceEqual(b.IsDefault ? [] : b);

    /// <summary>Tells the cluster a node's first stream here opened (on the writer; a failing database never fails the stream).</summary>
    private void ReportConnected(long nodeId) => ReportPresence("record presence", p => p.Connected(nodeId));

    private void ReportDisconnected(long nodeId) => ReportPresence("clear presence", p => p.Disconnected(nodeId));

    private void ReportPresence(string what, Action<IClusterPresence> report)
    {
        if (_presence is not { } presence)
        {
            return;
        }

        try
        {
            report(presence);
        }
        catch (Exception e) when (Commands.StorageFaults.IsStorageFault(e))
        {
            Interlocked.Increment(ref _backgroundFaults);
            StateEvents.StorageWriteFailed(_log, e, what);
        }
    }
}
