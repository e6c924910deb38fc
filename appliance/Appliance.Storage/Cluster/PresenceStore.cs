using Appliance.Storage.Database;
using Appliance.Storage.Stores;

namespace Appliance.Storage.Cluster;

/// <summary>
/// Which instance is alive (<c>ha_instances</c>: a lease each instance renews) and which node has a map stream on
/// which instance (<c>ha_presence</c>). A node counts as online elsewhere while another instance with an unexpired
/// lease lists it; a crashed instance's rows are swept once its lease has run out.
/// </summary>
internal sealed class PresenceStore(ApplianceDatabase database)
{
    public string InstanceId => database.InstanceId;

    /// <summary>Creates or extends this instance's lease until <paramref name="until"/>.</summary>
    public void RenewInstance(DateTimeOffset now, DateTimeOffset until)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            "INSERT INTO ha_instances (instance_id, started_at, lease_until) VALUES (@i, @n, @u) " +
            "ON CONFLICT (instance_id) DO UPDATE SET lease_until = excluded.lease_until;")
            .With("@i", database.InstanceId).With("@n", now.ToUnixTimeMilliseconds()).With("@u", until.ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
    }

    /// <summary>Removes this instance and its presence rows (a clean stop: its nodes go offline at once elsewhere).</summary>
    public void RemoveInstance()
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginWrite();
        using (var presence = connection.Command("DELETE FROM ha_presence WHERE instance_id = @i;", transaction).With("@i", database.InstanceId))
        {
            presence.ExecuteNonQuery();
        }

        using (var instance = connection.Command("DELETE FROM ha_instances WHERE instance_id = @i;", transaction).With("@i", database.InstanceId))
        {
            instance.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>
    /// Removes another instance that lost its database connection (its liveness lock is gone: State's CrashWatch):
    /// its presence rows, its lease and the run-once leases it held, in one transaction, so every instance takes
    /// its nodes offline now instead of when its lease runs out. Idempotent. Returns the presence rows removed.
    /// </summary>
    public int RemoveCrashed(string instanceId)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginWrite();
        int removed;
        using (var presence = connection.Command("DELETE FROM ha_presence WHERE instance_id = @i;", transaction).With("@i", instanceId))
        {
            removed = presence.ExecuteNonQuery();
        }

        using (var instance = connection.Command("DELETE FROM ha_instances WHERE instance_id = @i;", transaction).With("@i", instanceId))
        {
            instance.ExecuteNonQuery();
        }

        using (var leases = connection.Command("DELETE FROM ha_leases WHERE holder = @i;", transaction).With("@i", instanceId))
        {
            leases.ExecuteNonQuery();
        }

        transaction.Commit();
        return removed;
    }

    /// <summary>Records that <paramref name="nodeId"/> has a stream on this instance.</summary>
    public void Connected(long nodeId, DateTimeOffset now)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            "INSERT INTO ha_presence (node_id, instance_id, since) VALUES (@n, @i, @t) ON CONFLICT (node_id, instance_id) DO NOTHING;")
            .With("@n", nodeId).With("@i", database.InstanceId).With("@t", now.ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
    }

    /// <summary>Records that <paramref name="nodeId"/> has no stream left on this instance.</summary>
    public void Disconnected(long nodeId)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command("DELETE FROM ha_presence WHERE node_id = @n AND instance_id = @i;")
            .With("@n", nodeId).With("@i", database.InstanceId);
        command.ExecuteNonQuery();
    }

    /// <summary>Nodes with a stream on another instance whose lease has not run out at <paramref name="now"/>.</summary>
    public IReadOnlySet<long> OnlineElsewhere(DateTimeOffset now)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            "SELECT DISTINCT p.node_id FROM ha_presence p JOIN ha_instances i ON i.instance_id = p.instance_id " +
            "WHERE p.instance_id <> @me AND i.lease_until > @now;")
            .With("@me", database.InstanceId).With("@now", now.ToUnixTimeMilliseconds());
        return command.ReadAll(r => r.GetInt64(0)).ToHashSet();
    }

    /// <summary>Whether <paramref name="nodeId"/> has a stream on another live instance.</summary>
    public bool IsOnlineElsewhere(long nodeId, DateTimeOffset now)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            "SELECT count(*) FROM ha_presence p JOIN ha_instances i ON i.instance_id = p.instance_id " +
            "WHERE p.node_id = @n AND p.instance_id <> @me AND i.lease_until > @now;")
            .With("@n", nodeId).With("@me", database.InstanceId).With("@now", now.ToUnixTimeMilliseconds());
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>
    /// Deletes the presence rows and lease of every instance whose lease ran out before <paramref name="now"/> (a
    /// crashed instance); the deletions are changes like any other, so every instance takes those nodes offline.
    /// Idempotent: two instances sweeping at once delete each row once. Returns the presence rows removed.
    /// </summary>
    public int SweepExpired(DateTimeOffset now)
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginWrite();
        int removed;
        using (var presence = connection.Command(
            "DELETE FROM ha_presence WHERE instance_id IN (SELECT instance_id FROM ha_instances WHERE lease_until <= @now) " +
            "OR instance_id NOT IN (SELECT instance_id FROM ha_instances);", transaction).With("@now", now.ToUnixTimeMilliseconds()))
        {
            removed = presence.ExecuteNonQuery();
        }

        using (var instances = connection.Command("DELETE FROM ha_instances WHERE lease_until <= @now;", transaction).With("@now", now.ToUnixTimeMilliseconds()))
        {
            instances.ExecuteNonQuery();
        }

        transaction.Commit();
        return removed;
    }
}
