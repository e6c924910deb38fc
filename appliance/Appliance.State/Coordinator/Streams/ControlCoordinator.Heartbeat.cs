namespace Appliance.State.Coordinator;

/// <summary>
/// One heartbeat for every connection (style habit 11: no timer per connection): queue keep-alives on idle
/// streams, push node keys that expired by the clock, delete ephemeral nodes offline past their timeout, drop
/// expired interactive registrations.
/// </summary>
public sealed partial class ControlCoordinator
{
    /// <summary>Runs one heartbeat tick; the timer calls it every <see cref="CoordinatorOptions.HeartbeatInterval"/>.</summary>
    public void Heartbeat()
    {
        // Each duty is guarded on its own, so a failing database (ephemeral GC) never stops keep-alives.
        Guarded("keep-alives", QueueKeepAlives);
        var now = _time.GetUtcNow();
        Guarded("ephemeral node GC", () => CollectEphemeralNodes(now));
        Guarded("key expiry sweep", () => PublishClockExpiries(now));
        Guarded("registration expiry", () => Registrations.ExpirePending(now));
    }

    private void QueueKeepAlives() => Streams.QueueKeepAlives(_options.KeepAliveInterval);

    private void CollectEphemeralNodes(DateTimeOffset now)
    {
        // On a shared database one instance collects (a lease), and a node streaming to another instance is online.
        if (!Snapshot.Nodes.Values.Any(e => e.Record.Ephemeral) || !RunOnce("ephemeral-gc"))
        {
            return;
        }

        var online = Streams.Sessions.Values.Select(s => s.NodeId).ToHashSet();
        foreach (var entry in Snapshot.Nodes.Values)
        {
            if (entry.Record.Ephemeral && !online.Contains(entry.Id) && IsOnline(entry.Id) != true
                && (entry.Record.LastSeen ?? entry.Record.UpdatedAt) + _options.EphemeralInactivityTimeout <= now
                && DeleteNode(entry.Id, "ephemeral node offline").Status == Appliance.State.Identity.OperationStatus.Unavailable)
            {
                Interlocked.Increment(ref _backgroundFaults);
            }
        }
    }

    /// <summary>
    /// A node's KeyExpiry passing is a change like any other: each node's Wire form fixes Expired when it is
    /// projected, so a key that runs out by the clock is re-projected here and sent as a full change: peers get
    /// PeersChanged with Expired:true, the node itself its self Node with the past KeyExpiry (client → NeedsLogin),
    /// as an operator expire does. Clients also judge KeyExpiry locally, but only against the times they were sent.
    /// One O(N) pass per heartbeat; a tick finds nothing to do almost always.
    /// </summary>
    private void PublishClockExpiries(DateTimeOffset now)
    {
        if (!Snapshot.Nodes.Values.Any(e => !e.Wire.Expired && e.Record.IsKeyExpired(now)))
        {
            return;
        }

        Write(() =>
        {
            var snapshot = _snapshot;
            var expired = new List<long>();
            foreach (var entry in snapshot.Nodes.Values)
            {
                if (!entry.Wire.Expired && entry.Record.IsKeyExpired(now))
                {
                    snapshot = snapshot.With(Reproject(entry));
                    expired.Add(entry.Id);
                    StateEvents.NodeKeyExpiredByClock(_log, entry.Id, entry.Record.GivenName);
                }
            }

            if (expired.Count > 0)
            {
                Publish(snapshot, changes => expired.ForEach(changes.AddFull));
            }

            return expired.Count;
        });
    }
}
