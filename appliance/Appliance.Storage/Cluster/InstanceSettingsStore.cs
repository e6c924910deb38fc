using Appliance.Storage.Database;
using Appliance.Storage.Stores;

namespace Appliance.Storage.Cluster;

/// <summary>
/// Each instance's settings fingerprint (<c>ha_instance_settings</c>, migration 0007) beside its lease in
/// <c>ha_instances</c>: what must agree between appliances on one database (docs/ops/ha.md).
/// </summary>
internal sealed class InstanceSettingsStore(ApplianceDatabase database)
{
    /// <summary>Stores (or replaces) this instance's settings, a JSON object of key → fingerprint.</summary>
    public void Record(string settings, long now)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            "INSERT INTO ha_instance_settings (instance_id, settings, updated_at) VALUES (@i, @s, @n) " +
            "ON CONFLICT (instance_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at;")
            .With("@i", database.InstanceId).With("@s", settings).With("@n", now);
        command.ExecuteNonQuery();
    }

    /// <summary>The settings of every other instance whose lease is live at <paramref name="now"/>, by instance id.</summary>
    public IReadOnlyDictionary<string, string> Others(long now)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            "SELECT s.instance_id, s.settings FROM ha_instance_settings s JOIN ha_instances i ON i.instance_id = s.instance_id " +
            "WHERE s.instance_id <> @me AND i.lease_until > @now ORDER BY s.instance_id;")
            .With("@me", database.InstanceId).With("@now", now);
        return command.ReadAll(r => (Id: r.GetString(0), Settings: r.GetString(1))).ToDictionary(p => p.Id, p => p.Settings, StringComparer.Ordinal);
    }

    /// <summary>Deletes the rows of instances that hold no lease any more (swept or stopped), and this instance's at a clean stop.</summary>
    public int DeleteGone(bool includingMine)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            "DELETE FROM ha_instance_settings WHERE instance_id NOT IN (SELECT instance_id FROM ha_instances)" +
            (includingMine ? " OR instance_id = @me;" : ";"))
            .With("@me", database.InstanceId);
        return command.ExecuteNonQuery();
    }
}
