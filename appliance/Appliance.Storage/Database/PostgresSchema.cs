using System.Data.Common;
using Npgsql;

namespace Appliance.Storage.Database;

/// <summary>
/// Opening a PostgreSQL database: one transaction that takes an advisory lock (so appliances starting together
/// migrate once, the others wait and find it done), inspects what is there and applies what is pending. A newer
/// schema or someone else's tables are refused with nothing written, as on SQLite (<see cref="DatabaseInspection"/>).
/// </summary>
internal static class PostgresSchema
{
    /// <summary>pg_advisory_xact_lock key: "appliance" as ASCII bytes, so it is recognisable in pg_locks.</summary>
    private const long MigrationLock = 0x6170706c69616e63;

    public static MigrationReport Migrate(NpgsqlDataSource source, string display, MigrationCatalog catalog, DateTimeOffset now)
    {
        NpgsqlConnection connection;
        try
        {
            connection = source.OpenConnection();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or ArgumentException)
        {
            throw new DatabaseRefusedException(
                DatabaseRefusal.Unreachable,
                $"Cannot connect to the PostgreSQL database {display}: {e.Message}. Check the database.* keys in the config " +
                "and that the server is running and accepts this user.",
                e);
        }

        using (connection)
        {
            using var transaction = connection.BeginTransaction();
            Scalar(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock});");
            var hasVersionTable = (bool)Scalar(connection, transaction, "SELECT to_regclass('schema_version') IS NOT NULL;")!;
            var tables = Convert.ToInt64(
                Scalar(connection, transaction, "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema();"),
                System.Globalization.CultureInfo.InvariantCulture);
            if (!hasVersionTable && tables > 0)
            {
                throw new DatabaseRefusedException(
                    DatabaseRefusal.ForeignDatabase,
                    $"The PostgreSQL database {display} already has tables but no schema_version table: it is not an appliance " +
                    "database. The appliance will not modify it; give it a database (or schema) of its own.");
            }

            var version = hasVersionTable
                ? Convert.ToInt32(Scalar(connection, transaction, "SELECT coalesce(max(version), 0) FROM schema_version;"), System.Globalization.CultureInfo.InvariantCulture)
                : 0;
            if (version > catalog.LatestVersion)
            {
                throw new DatabaseRefusedException(
                    DatabaseRefusal.NewerSchema,
                    $"The PostgreSQL database {display} has schema version {version}, but this appliance only knows up to " +
                    $"{catalog.LatestVersion}: it was written by a newer release. Nothing was changed. Run the newer release.");
            }

            var applied = MigrationRunner.Apply(connection, transaction, SqlDialect.Postgres, [.. catalog.After(version)], now);
            transaction.Commit();
            return new MigrationReport(version, catalog.LatestVersion, applied, null);
        }
    }

    private static object? Scalar(DbConnection connection, DbTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
