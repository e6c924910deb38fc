using System.Globalization;
using Appliance.Storage.Files;
using Microsoft.Data.Sqlite;

namespace Appliance.Storage.Database;

/// <summary>
/// An online copy of the database (SQLite's backup API, consistent even while in use) into
/// `backups/appliance-&lt;version&gt;-&lt;UTC timestamp&gt;.db`, 0600, taken before any migration touches existing data.
/// </summary>
public static class DatabaseBackup
{
    public static string Create(SqliteConnection source, string backupFolder, int schemaVersion, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(source);
        SecureFiles.EnsureDirectory(backupFolder);
        var stamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var baseName = $"appliance-{schemaVersion:D4}-{stamp}";
        var path = Path.Combine(backupFolder, baseName + ".db");
        for (var n = 2; File.Exists(path); n++)
        {
            path = Path.Combine(backupFolder, $"{baseName}-{n}.db");
        }

        // Create the file 0600 first: SQLite would otherwise create it with the process umask.
        SecureFiles.EnsureFile(path);
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false };
        using (var destination = new SqliteConnection(builder.ToString()))
        {
            destination.Open();
            source.BackupDatabase(destination);
        }

        SecureFiles.RestrictToOwner(path);
        return path;
    }
}
