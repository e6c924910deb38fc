using Microsoft.Data.Sqlite;

namespace Appliance.Storage.Database;

/// <summary>What a read-only look at the database file found, before anything is written to it.</summary>
/// <param name="IsEmpty">No tables at all: a new database (or a zero-length file).</param>
/// <param name="SchemaVersion">The highest applied migration, 0 for an empty database.</param>
public readonly record struct DatabaseInspection(bool IsEmpty, int SchemaVersion)
{
    // "SQLite format 3\0": the 16-byte magic at offset 0 of every SQLite database file (sqlite.org/fileformat.html, 1.3).
    private static ReadOnlySpan<byte> Magic => "SQLite format 3\0"u8;

    private const int SqliteCorrupt = 11;
    private const int SqliteNotADb = 26;

    /// <summary>Inspects the file read-only; refuses (throws) when it is not a healthy appliance database.</summary>
    /// <exception cref="DatabaseRefusedException">Not SQLite, corrupt, or not the appliance's.</exception>
    public static DatabaseInspection Inspect(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length == 0)
        {
            return new DatabaseInspection(true, 0);
        }

        CheckMagic(path);
        try
        {
            return InspectSqlite(path);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteCorrupt or SqliteNotADb)
        {
            throw Corrupt(path, e.Message, e);
        }
    }

    private static void CheckMagic(string path)
    {
        Span<byte> header = stackalloc byte[16];
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            var read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (read == header.Length && header.SequenceEqual(Magic))
            {
                return;
            }
        }

        throw new DatabaseRefusedException(
            DatabaseRefusal.NotADatabase,
            $"'{path}' is not a SQLite database (its header is wrong). The appliance will not touch it. " +
            "Move it aside and restore the latest file from the backups folder, or start with an empty data folder.");
    }

    private static DatabaseInspection InspectSqlite(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();

        var check = Scalar(connection, "PRAGMA quick_check(1);") as string;
        if (!string.Equals(check, "ok", StringComparison.Ordinal))
        {
            throw Corrupt(path, check ?? "no result", null);
        }

        var objects = Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM sqlite_schema;"), System.Globalization.CultureInfo.InvariantCulture);
        if (objects == 0)
        {
            return new DatabaseInspection(true, 0);
        }

        var hasVersionTable = Convert.ToInt64(
            Scalar(connection, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version';"),
            System.Globalization.CultureInfo.InvariantCulture) == 1;
        if (!hasVersionTable)
        {
            throw new DatabaseRefusedException(
                DatabaseRefusal.ForeignDatabase,
                $"'{path}' is a SQLite database but not an appliance database (it has no schema_version table). " +
                "The appliance will not modify it; point --data-dir at the appliance's own data folder.");
        }

        var version = Scalar(connection, "SELECT coalesce(max(version), 0) FROM schema_version;");
        return new DatabaseInspection(false, Convert.ToInt32(version, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static DatabaseRefusedException Corrupt(string path, string detail, Exception? inner) =>
        new(
            DatabaseRefusal.Corrupt,
            $"The database '{path}' is corrupt ({detail}). The appliance will not write to it. " +
            "Stop the service, move the file aside, and restore the latest copy from the backups folder.",
            inner);
}
