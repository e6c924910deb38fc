using Appliance.Storage.Files;
using Microsoft.Data.Sqlite;

namespace Appliance.Storage.Database;

/// <summary>What an archived database copy holds, as the backup manifest records it.</summary>
/// <param name="Nodes">"given_name node_key" per node, in ordinal order.</param>
/// <param name="Users">User names, in ordinal order.</param>
/// <param name="PolicyText">The newest stored policy version, or null.</param>
public sealed record ArchivedTailnet(IReadOnlyList<string> Nodes, IReadOnlyList<string> Users, string? PolicyText);

/// <summary>
/// The database side of backups: the online copy (SQLite's backup API through <see cref="DatabaseBackup"/>,
/// consistent while the server writes) and the read of a copy for the manifest. SQLite stays inside Storage; the
/// backup area in Hosting calls this. The copy is read, never the live database, so the summary matches the file.
/// </summary>
public static class DatabaseArchive
{
    /// <summary>Copies `&lt;data&gt;/appliance.db` into <paramref name="folder"/>; works whether or not `serve` holds the data folder.</summary>
    /// <exception cref="FileNotFoundException">There is no database in <paramref name="dataDir"/>.</exception>
    public static string CopyDatabase(string dataDir, string folder, DateTimeOffset now)
    {
        var live = Path.Combine(dataDir, DataDirectory.DatabaseFileName);
        if (!File.Exists(live))
        {
            throw new FileNotFoundException($"{live} does not exist: is {dataDir} the appliance's data folder (--data-dir)?", live);
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = live, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 30 };
        using var source = new SqliteConnection(builder.ToString());
        source.Open();
        return DatabaseBackup.Create(source, folder, SchemaVersion(source), now);
    }

    public static ArchivedTailnet ReadSummary(string databaseCopy)
    {
        using var connection = OpenReadOnly(databaseCopy);
        var nodes = Strings(connection, "SELECT given_name || ' ' || node_key FROM nodes");
        var users = Strings(connection, "SELECT name FROM users");
        var policy = Strings(connection, "SELECT text FROM policy_versions ORDER BY id DESC LIMIT 1").FirstOrDefault();
        return new ArchivedTailnet([.. nodes.Order(StringComparer.Ordinal)], [.. users.Order(StringComparer.Ordinal)], policy);
    }

    public static int SchemaVersion(string databaseCopy)
    {
        using var connection = OpenReadOnly(databaseCopy);
        return SchemaVersion(connection);
    }

    /// <summary>
    /// A real write that changes nothing (PRAGMA user_version rewritten in a transaction), for the readiness probe:
    /// it fails exactly when the database cannot be written (read-only, full disk, I/O error).
    /// </summary>
    public static void ProbeWrite(ApplianceDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        using var connection = database.OpenConnection();
        if (database.Dialect == SqlDialect.Postgres)
        {
            // Rewrites the newest schema_version row with itself: fails on a read-only server (a standby) or a full disk.
            using var pgTransaction = connection.BeginTransaction();
            using var touch = connection.CreateCommand();
            touch.Transaction = pgTransaction;
            touch.CommandText = "UPDATE schema_version SET name = name WHERE version = (SELECT max(version) FROM schema_version);";
            touch.ExecuteNonQuery();
            pgTransaction.Commit();
            return;
        }

        using var transaction = connection.BeginTransaction();
        using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "PRAGMA user_version;";
        var version = Convert.ToInt64(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        using var write = connection.CreateCommand();
        write.Transaction = transaction;
        write.CommandText = $"PRAGMA user_version = {version};";
        write.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>SQLITE_FULL (13): the disk or the database is full.</summary>
    public static bool IsDiskFull(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 13 } or Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.DiskFull };

    private static SqliteConnection OpenReadOnly(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        return connection;
    }

    private static int SchemaVersion(SqliteConnection connection)
    {
        try
        {
            return Strings(connection, "SELECT MAX(version) FROM schema_version").Select(v => int.TryParse(v, out var n) ? n : 0).FirstOrDefault();
        }
        catch (SqliteException)
        {
            return 0;
        }
    }

    private static List<string> Strings(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            if (!reader.IsDBNull(0))
            {
                values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
            }
        }

        return values;
    }
}
