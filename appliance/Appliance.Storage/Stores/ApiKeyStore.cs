using Appliance.Storage.Database;
using System.Data.Common;

namespace Appliance.Storage.Stores;

/// <summary>The `api_keys` table: keys for the (future) remote admin API, stored as SHA-256 of the secret.</summary>
internal sealed class ApiKeyStore(ApplianceDatabase database)
{
    private const string Columns = "id, prefix, created_at, expires_at, last_used_at";

    public WriteResult<ApiKeyRecord> Insert(string prefix, ReadOnlySpan<byte> secretHash, DateTimeOffset createdAt, DateTimeOffset? expiresAt)
    {
        using var connection = database.OpenConnection();
        try
        {
            using var command = connection.Command(
                $"INSERT INTO api_keys (prefix, hash, created_at, expires_at) VALUES (@p, @h, @c, @e) RETURNING {Columns};")
                .With("@p", prefix).With("@h", secretHash.ToArray()).With("@c", SqlValues.ToDb(createdAt)).With("@e", SqlValues.ToDb(expiresAt));
            return WriteResult.Ok(command.ReadSingle(Map)!);
        }
        catch (DbException e) when (e.IsUniqueViolation())
        {
            return WriteResult.Conflict<ApiKeyRecord>();
        }
    }

    public IReadOnlyList<ApiKeyRecord> List()
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command($"SELECT {Columns} FROM api_keys ORDER BY id;");
        return command.ReadAll(Map);
    }

    public WriteResult<ApiKeyRecord> Expire(string prefix, DateTimeOffset now)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            $"UPDATE api_keys SET expires_at = CASE WHEN expires_at < @now THEN expires_at ELSE @now END WHERE prefix = @p RETURNING {Columns};")
            .With("@p", prefix).With("@now", SqlValues.ToDb(now));
        var row = command.ReadSingle(Map);
        return row is null ? WriteResult.NotFound<ApiKeyRecord>() : WriteResult.Ok(row);
    }

    public bool Delete(string prefix)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command("DELETE FROM api_keys WHERE prefix = @p;").With("@p", prefix);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Checks a presented key (constant-time hash compare) and records its use when valid.</summary>
    public ApiKeyCheck Verify(string prefix, ReadOnlySpan<byte> secretHash, DateTimeOffset now)
    {
        using var connection = database.OpenConnection();
        ApiKeyRecord? key;
        byte[]? stored;
        using (var find = connection.Command($"SELECT {Columns}, hash FROM api_keys WHERE prefix = @p;").With("@p", prefix))
        using (var reader = find.ExecuteReader())
        {
            key = reader.Read() ? Map(reader) : null;
            stored = key is null ? null : (byte[])reader.GetValue(5);
        }

        if (key is null || stored is null || !SecretHashes.Matches(stored, secretHash))
        {
            return ApiKeyCheck.NotFound;
        }

        if (key.IsExpired(now))
        {
            return ApiKeyCheck.Expired;
        }

        using var touch = connection.Command("UPDATE api_keys SET last_used_at = @now WHERE id = @id;")
            .With("@id", key.Id).With("@now", SqlValues.ToDb(now));
        touch.ExecuteNonQuery();
        return ApiKeyCheck.Valid;
    }

    private static ApiKeyRecord Map(DbDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), SqlValues.Time(r, 2), SqlValues.OptionalTime(r, 3), SqlValues.OptionalTime(r, 4));
}
