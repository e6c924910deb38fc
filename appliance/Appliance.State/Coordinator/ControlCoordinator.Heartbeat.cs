namespace Appliance.State.Coordinator;

/// <summary>
/// One heartbeat for every connection (style habit 11: no timer per connection): queue keep-alives on idle
/// streams, delete ephemeral nodes offline past their timeout, drop expired interactive registrations.
/// </summary>
public sealed partial class ControlCoordinator
{
    /// <summary>Runs one heartbeat tick; the timer calls it every <see cref="CoordinatorOptions.HeartbeatInterval"/>.</summary>
    public void Heartbeat()
    {
        var nowTicks = _time.GetTimestamp();
        foreach (var session in Sessions.Values)
        {
            if (_time.GetElapsedTime(session.LastSentTimestamp, nowTicks) >= _options.KeepAliveInterval)
            {
                session.Enqueue(OutgoingMessage.KeepAlive);
                session.Touch(nowTicks);
            }
        }

        var now = _time.GetUtcNow();
        var online = Sessions.Values.Select(s => s.NodeId).ToHashSet();
        foreach (var entry in Snapshot.Nodes.Values)
        {
            if (entry.Record.Ephemeral && !online.Contains(entry.Id)
                && (entry.Record.LastSeen ?? entry.Record.UpdatedAt) + _options.EphemeralInactivityTimeout <= now)
            {
                Delete(entry.Id);
            }
        }

        ExpirePendingRegistrations(now);
    }
}
