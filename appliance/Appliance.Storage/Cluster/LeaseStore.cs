using Appliance.Storage.Database;
using Appliance.Storage.Stores;

namespace Appliance.Storage.Cluster;

/// <summary>
/// Named leases for work that must run on one instance at a time (<c>ha_leases</c>, migration 0004). Taking or
/// renewing is one conditional upsert, so the database decides between two instances asking at once: the row goes
/// to the asker only when it is free, expired, or already the asker's.
/// </summary>
internal sealed class LeaseStore(ApplianceDatabase database)
{
    /// <summary>Takes or renews <paramref name="name"/> for <paramref name="holder"/> until <paramref name="until"/>; false when another holder's lease is live.</summary>
    public bool TryAcquire(string name, string holder, DateTimeOffset now, DateTimeOffset until)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            "INSERT INTO ha_leases (name, holder, expires_at) VALUES (@n, @h, @u) " +
            "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at " +
            "WHERE ha_leases.holder = excluded.holder OR ha_leases.expires_at <= @now RETURNING holder;")
            .With("@n", name).With("@h", holder).With("@u", until.ToUnixTimeMilliseconds()).With("@now", now.ToUnixTimeMilliseconds());
        return command.ExecuteScalar() is string taken && taken == holder;
    }

    /// <summary>Gives the lease up (only when <paramref name="holder"/> holds it), so another instance need not wait for it to expire.</summary>
    public bool Release(string name, string holder)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command("DELETE FROM ha_leases WHERE name = @n AND holder = @h;").With("@n", name).With("@h", holder);
        return command.ExecuteNonQuery() > 0;
    }

    /// <summary>Who holds <paramref name="name"/> at <paramref name="now"/>, or null when nobody does.</summary>
    public string? Holder(string name, DateTimeOffset now)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command("SELECT holder FROM ha_leases WHERE name = @n AND expires_at > @now;")
            .With("@n", name).With("@now", now.ToUnixTimeMilliseconds());
        return command.ExecuteScalar() as string;
    }
}
