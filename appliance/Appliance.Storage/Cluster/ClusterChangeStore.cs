using Appliance.Storage.Database;
using Appliance.Storage.Stores;

namespace Appliance.Storage.Cluster;

/// <summary>
/// Reads the change sequence (<c>ha_changes</c>, migration 0004) by sequence number, for the catch-up after every
/// notification and (re)connect, and trims rows every instance has long read.
/// </summary>
internal sealed class ClusterChangeStore(ApplianceDatabase database)
{
    /// <summary>Changes with a sequence number above <paramref name="after"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<ClusterChange> ReadAfter(long after, int limit = 1000)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command("SELECT seq, entity, row_id, origin FROM ha_changes WHERE seq > @s ORDER BY seq LIMIT @l;")
            .With("@s", after).With("@l", (long)limit);
        return command.ReadAll(r => new ClusterChange(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetString(3)));
    }

    /// <summary>The highest sequence number written so far (0 when none): where a freshly loaded instance starts.</summary>
    public long Latest()
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command("SELECT coalesce(max(seq), 0) FROM ha_changes;");
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Deletes changes older than <paramref name="before"/> (they were read long ago by every live instance).</summary>
    public int TrimBefore(DateTimeOffset before)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command("DELETE FROM ha_changes WHERE created_at < @t;").With("@t", before.ToUnixTimeMilliseconds());
        return command.ExecuteNonQuery();
    }
}
