using Microsoft.Data.Sqlite;

namespace Appliance.Storage.Database;

/// <summary>
/// Applies pending migrations in one transaction: either the database reaches the binary's version, or it is left
/// exactly as it was. SQLite DDL is transactional, so a failing step rolls back every earlier one too.
/// </summary>
internal static class MigrationRunner
{
    private const string VersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version    INTEGER PRIMARY KEY,
            name       TEXT    NOT NULL,
            applied_at INTEGER NOT NULL
        ) STRICT;
        """;

    public static IReadOnlyList<int> Apply(SqliteConnection connection, MigrationCatalog catalog, int currentVersion, DateTimeOffset now)
    {
        var pending = catalog.After(currentVersion).ToList();
        if (pending.Count == 0)
        {
            return [];
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        Execute(connection, transaction, VersionTable);
        foreach (var migration in pending)
        {
            try
            {
                Execute(connection, transaction, migration.Sql);
            }
            catch (SqliteException e)
            {
                throw new InvalidOperationException($"migration {migration.Version:D4}_{migration.Name} failed: {e.Message}", e);
            }

            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_version (version, name, applied_at) VALUES ($v, $n, $t);";
            record.Parameters.AddWithValue("$v", migration.Version);
            record.Parameters.AddWithValue("$n", migration.Name);
            record.Parameters.AddWithValue("$t", now.ToUnixTimeMilliseconds());
            record.ExecuteNonQuery();
        }

        transaction.Commit();
        return [.. pending.Select(m => m.Version)];
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
