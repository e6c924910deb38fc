using System.Data.Common;

namespace Appliance.Storage.Database;

/// <summary>
/// Applies pending migrations in one transaction: either the database reaches the binary's version, or it is left
/// exactly as it was. DDL is transactional on SQLite and PostgreSQL alike, so a failing step rolls back every
/// earlier one too.
/// </summary>
internal static class MigrationRunner
{
    private const string SqliteVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version    INTEGER PRIMARY KEY,
            name       TEXT    NOT NULL,
            applied_at INTEGER NOT NULL
        ) STRICT;
        """;

    private const string PostgresVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version    INTEGER PRIMARY KEY,
            name       TEXT    NOT NULL,
            applied_at BIGINT  NOT NULL
        );
        """;

    public static IReadOnlyList<int> Apply(DbConnection connection, SqlDialect dialect, MigrationCatalog catalog, int currentVersion, DateTimeOffset now)
    {
        var pending = catalog.After(currentVersion).ToList();
        if (pending.Count == 0)
        {
            return [];
        }

        using var transaction = Stores.DbCommands.BeginWrite(connection);
        var applied = Apply(connection, transaction, dialect, pending, now);
        transaction.Commit();
        return applied;
    }

    /// <summary>Runs <paramref name="pending"/> inside the caller's transaction (the caller commits).</summary>
    public static IReadOnlyList<int> Apply(DbConnection connection, DbTransaction transaction, SqlDialect dialect, IReadOnlyList<Migration> pending, DateTimeOffset now)
    {
        if (pending.Count == 0)
        {
            return [];
        }

        Execute(connection, transaction, dialect == SqlDialect.Postgres ? PostgresVersionTable : SqliteVersionTable);
        foreach (var migration in pending)
        {
            try
            {
                Execute(connection, transaction, migration.SqlFor(dialect));
            }
            catch (DbException e)
            {
                throw new InvalidOperationException($"migration {migration.Version:D4}_{migration.Name} failed: {e.Message}", e);
            }

            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_version (version, name, applied_at) VALUES (@v, @n, @t);";
            Stores.DbCommands.With(record, "@v", migration.Version);
            Stores.DbCommands.With(record, "@n", migration.Name);
            Stores.DbCommands.With(record, "@t", now.ToUnixTimeMilliseconds());
            record.ExecuteNonQuery();
        }

        return [.. pending.Select(m => m.Version)];
    }

    private static void Execute(DbConnection connection, DbTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
