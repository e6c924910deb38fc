using Appliance.Storage.Database;
using System.Data.Common;

namespace Appliance.Storage.Stores;

/// <summary>The `pre_auth_keys` table: create, list, expire, revoke, and the atomic check-and-use.</summary>
internal sealed class PreAuthKeyStore(ApplianceDatabase database)
{
    private const string Columns = "id, prefix, user_id, tags, reusable, ephemeral, used_count, expires_at, created_at, revoked_at";

    public WriteResult<PreAuthKeyRecord> Insert(NewPreAuthKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var connection = database.OpenConnection();
        try
        {
            using var command = connection.Command(
                "INSERT INTO pre_auth_keys (prefix, hash, user_id, tags, reusable, ephemeral, expires_at, created_at) " +
                $"VALUES (@prefix, @hash, @user, @tags, @reusable, @ephemeral, @expires, @created) RETURNING {Columns};")
                .With("@prefix", key.Prefix)
                .With("@hash", key.SecretHash.ToArray())
                .With("@user", key.UserId)
                .With("@tags", SqlValues.ToJson(key.Tags))
                .With("@reusable", key.Reusable)
                .With("@ephemeral", key.Ephemeral)
                .With("@expires", SqlValues.ToDb(key.ExpiresAt))
                .With("@created", SqlValues.ToDb(key.CreatedAt));
            return WriteResult.Ok(command.ReadSingle(Map)!);
        }
        catch (DbException e) when (e.IsUniqueViolation())
        {
            return WriteResult.Conflict<PreAuthKeyRecord>();
        }
    }

    public PreAuthKeyRecord? Get(long id)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command($"SELECT {Columns} FROM pre_auth_keys WHERE id = @id;").With("@id", id);
        return command.ReadSingle(Map);
    }

    public PreAuthKeyRecord? GetByPrefix(string prefix)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command($"SELECT {Columns} FROM pre_auth_keys WHERE prefix = @p;").With("@p", prefix);
        return command.ReadSingle(Map);
    }

    /// <summary>Every key, or one user's keys, oldest first.</summary>
    public IReadOnlyList<PreAuthKeyRecord> List(long? userId = null)
    {
        using var connection = database.OpenConnection();
        using var command = userId is { } id
            ? connection.Command($"SELECT {Columns} FROM pre_auth_keys WHERE user_id = @u ORDER BY id;").With("@u", id)
            : connection.Command($"SELECT {Columns} FROM pre_auth_keys ORDER BY id;");
        return command.ReadAll(Map);
    }

    /// <summary>Makes the key expire now (an already earlier expiry is kept).</summary>
    public WriteResult<PreAuthKeyRecord> Expire(string prefix, DateTimeOffset now)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            $"UPDATE pre_auth_keys SET expires_at = CASE WHEN expires_at < @now THEN expires_at ELSE @now END WHERE prefix = @p RETURNING {Columns};")
            .With("@p", prefix).With("@now", SqlValues.ToDb(now));
        var row = command.ReadSingle(Map);
        return row is null ? WriteResult.NotFound<PreAuthKeyRecord>() : WriteResult.Ok(row);
    }

    /// <summary>Deletes the key; nodes registered with it keep running (their auth_key_id becomes NULL).</summary>
    public WriteResult<PreAuthKeyRecord> Delete(string prefix)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command($"DELETE FROM pre_auth_keys WHERE prefix = @p RETURNING {Columns};").With("@p", prefix);
        var row = command.ReadSingle(Map);
        return row is null ? WriteResult.NotFound<PreAuthKeyRecord>() : WriteResult.Ok(row);
    }

    /// <summary>Revokes the key (it can never be used again, whatever its expiry); the first revocation time is kept.</summary>
    public WriteResult<PreAuthKeyRecord> Revoke(string prefix, DateTimeOffset now)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            $"UPDATE pre_auth_keys SET revoked_at = coalesce(revoked_at, @now) WHERE prefix = @p RETURNING {Columns};")
            .With("@p", prefix).With("@now", SqlValues.ToDb(now));
        var row = command.ReadSingle(Map);
        return row is null ? WriteResult.NotFound<PreAuthKeyRecord>() : WriteResult.Ok(row);
    }

    /// <summary>
    /// Checks a presented key and, when valid, counts one use with one conditional UPDATE that re-checks validity in
    /// the database (not revoked, not expired, reusable or unused): two registrations racing on a single-use key,
    /// on one appliance or on two sharing a PostgreSQL database, cannot both succeed.
    /// </summary>
    public PreAuthKeyUse TryUse(string prefix, ReadOnlySpan<byte> secretHash, DateTimeOffset now)
    {
        var checkedKey = Check(prefix, secretHash, now);
        if (!checkedKey.IsValid)
        {
            return checkedKey;
        }

        return Claim(checkedKey.Key!.Id, now);
    }

    /// <summary>Checks a presented key without counting a use: the key as it is now and whether it could register a node.</summary>
    public PreAuthKeyUse Check(string prefix, ReadOnlySpan<byte> secretHash, DateTimeOffset now)
    {
        using var connection = database.OpenConnection();
        var (key, stored) = Find(connection, prefix);
        if (key is null || stored is null || !SecretHashes.Matches(stored, secretHash))
        {
            return new PreAuthKeyUse(PreAuthKeyCheck.NotFound, null);
        }

        return new PreAuthKeyUse(Evaluate(key, now), key);
    }

    /// <summary>
    /// Counts one use of the key with this id if it is still usable, re-checked by the UPDATE itself (not revoked,
    /// not expired, reusable or unused), so a single-use key is claimed once under any race. Inside
    /// <see cref="ApplianceDatabase.InTransaction{T}"/> the use is kept only if the transaction commits (issue 12:
    /// the node it registers is written in the same transaction). Not Valid: what the key is now.
    /// </summary>
    public PreAuthKeyUse Claim(long id, DateTimeOffset now)
    {
        using var connection = database.OpenConnection();
        using (var use = connection.Command(
            "UPDATE pre_auth_keys SET used_count = used_count + 1 " +
            "WHERE id = @id AND revoked_at IS NULL AND expires_at > @now AND (reusable = 1 OR used_count = 0) " +
            $"RETURNING {Columns};").With("@id", id).With("@now", SqlValues.ToDb(now)))
        {
            if (use.ReadSingle(Map) is { } used)
            {
                return new PreAuthKeyUse(PreAuthKeyCheck.Valid, used);
            }
        }

        // Another registration changed the key between the check and this update: report what it is now.
        using var read = connection.Command($"SELECT {Columns} FROM pre_auth_keys WHERE id = @id;").With("@id", id);
        var current = read.ReadSingle(Map);
        var after = current is null ? PreAuthKeyCheck.NotFound : Evaluate(current, now);
        return new PreAuthKeyUse(after == PreAuthKeyCheck.Valid ? PreAuthKeyCheck.AlreadyUsed : after, current);
    }

    private static (PreAuthKeyRecord? Key, byte[]? Hash) Find(DbConnection connection, string prefix)
    {
        using var find = connection.Command($"SELECT {Columns}, hash FROM pre_auth_keys WHERE prefix = @p;").With("@p", prefix);
        using var reader = find.ExecuteReader();
        return reader.Read() ? (Map(reader), (byte[])reader.GetValue(10)) : (null, null);
    }

    private static PreAuthKeyCheck Evaluate(PreAuthKeyRecord key, DateTimeOffset now) => key switch
    {
        { RevokedAt: not null } => PreAuthKeyCheck.Revoked,
        _ when key.IsExpired(now) => PreAuthKeyCheck.Expired,
        { Reusable: false, UsedCount: > 0 } => PreAuthKeyCheck.AlreadyUsed,
        _ => PreAuthKeyCheck.Valid,
    };

    private static PreAuthKeyRecord Map(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        SqlValues.OptionalInt64(r, 2),
        SqlValues.StringList(r, 3),
        SqlValues.Flag(r, 4),
        SqlValues.Flag(r, 5),
        r.GetInt64(6),
        SqlValues.Time(r, 7),
        SqlValues.Time(r, 8),
        SqlValues.OptionalTime(r, 9));
}
