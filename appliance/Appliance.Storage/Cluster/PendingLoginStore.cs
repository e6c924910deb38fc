using System.Data.Common;
using Appliance.Storage.Database;
using Appliance.Storage.Stores;

namespace Appliance.Storage.Cluster;

/// <summary>
/// Interactive logins waiting for an operator (<c>pending_logins</c>, migration 0006), shared by every appliance on
/// the database. The database decides between two operators: a login is claimed by one conditional update
/// (<see cref="TryClaim"/>), so only one approval or refusal takes it. On PostgreSQL every update is a change
/// ('login') that wakes the instance holding the client's poll.
/// </summary>
internal sealed class PendingLoginStore(ApplianceDatabase database)
{
    public const string Waiting = "waiting";
    public const string Claimed = "claimed";
    public const string Approved = "approved";
    public const string Refused = "refused";

    private const string Columns = "row_id, id, machine_key, request, auth_url, created_at, expires_at, state, node_id, error, instance_id";

    /// <summary>Stores a new waiting login; false when its id is taken (another instance drew the same 128 bits).</summary>
    public bool TryInsert(string id, string machineKey, string request, string authUrl, long createdAt, long expiresAt)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            "INSERT INTO pending_logins (id, machine_key, request, auth_url, created_at, expires_at, state, instance_id) " +
            "VALUES (@id, @m, @r, @u, @c, @e, @s, @i);")
            .With("@id", id).With("@m", machineKey).With("@r", request).With("@u", authUrl)
            .With("@c", createdAt).With("@e", expiresAt).With("@s", Waiting).With("@i", database.InstanceId);
        try
        {
            command.ExecuteNonQuery();
            return true;
        }
        catch (DbException e) when (e.IsUniqueViolation())
        {
            return false;
        }
    }

    public PendingLoginRow? Find(string id)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command($"SELECT {Columns} FROM pending_logins WHERE id = @id;").With("@id", id);
        return command.ReadSingle(Read);
    }

    public PendingLoginRow? FindByRowId(long rowId)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command($"SELECT {Columns} FROM pending_logins WHERE row_id = @r;").With("@r", rowId);
        return command.ReadSingle(Read);
    }

    /// <summary>Logins still waiting at <paramref name="now"/>, oldest first.</summary>
    public IReadOnlyList<PendingLoginRow> ListWaiting(long now)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            $"SELECT {Columns} FROM pending_logins WHERE state = @s AND expires_at > @now ORDER BY created_at, id;")
            .With("@s", Waiting).With("@now", now);
        return command.ReadAll(Read);
    }

    /// <summary>Takes a waiting, unexpired login for one decision; false when it is gone, decided or taken by another operator.</summary>
    public bool TryClaim(string id, long now)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            "UPDATE pending_logins SET state = @claimed WHERE id = @id AND state = @waiting AND expires_at > @now;")
            .With("@claimed", Claimed).With("@id", id).With("@waiting", Waiting).With("@now", now);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Records the decision on a claimed login: the node it admitted, or the error its client is told.</summary>
    public void Decide(string id, long? nodeId, string? error)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            "UPDATE pending_logins SET state = @s, node_id = @n, error = @e WHERE id = @id;")
            .With("@s", nodeId is null ? Refused : Approved).With("@n", nodeId).With("@e", error).With("@id", id);
        command.ExecuteNonQuery();
    }

    /// <summary>Deletes logins that ran out before <paramref name="now"/> (any instance may; deleting twice is harmless).</summary>
    public int DeleteExpired(long now)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command("DELETE FROM pending_logins WHERE expires_at <= @now;").With("@now", now);
        return command.ExecuteNonQuery();
    }

    private static PendingLoginRow Read(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        r.GetString(4),
        r.GetInt64(5),
        r.GetInt64(6),
        r.GetString(7),
        r.IsDBNull(8) ? null : r.GetInt64(8),
        r.IsDBNull(9) ? null : r.GetString(9),
        r.GetString(10));
}
