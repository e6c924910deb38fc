using System.Security.Cryptography;
using System.Text;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Microsoft.Data.Sqlite;

namespace Appliance.Hosting.Backup;

/// <summary>
/// Every database access of the backup area, in one place: the online copy (Storage's <see cref="DatabaseBackup"/>,
/// SQLite's backup API, consistent while the server writes) and the read of the copy's nodes, users and policy for
/// the manifest. The copy is read, never the live database, so the summary matches the archived file exactly.
/// </summary>
internal static class BackupStorage
{
    /// <summary>Copies `&lt;data&gt;/appliance.db` into <paramref name="folder"/>; works whether or not `serve` holds the data folder.</summary>
    public static string CopyDatabase(string dataDir, string folder, DateTimeOffset now)
    {
        var live = Path.Combine(dataDir, DataDirectory.DatabaseFileName);
        if (!File.Exists(live))
        {
            throw new BackupException($"{live} does not exist: is {dataDir} the appliance's data folder (--data-dir)?");
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = live, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 30 };
        using var source = new SqliteConnection(builder.ToString());
        source.Open();
        return DatabaseBackup.Create(source, folder, SchemaVersion(source), now);
    }

    public static TailnetSummary ReadSummary(string databaseCopy, string? externalPolicyText)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = databaseCopy, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        var nodes = Strings(connection, "SELECT given_name || ' ' || node_key FROM nodes");
        var users = Strings(connection, "SELECT name FROM users");
        var policy = externalPolicyText
            ?? Strings(connection, "SELECT text FROM policy_versions ORDER BY id DESC LIMIT 1").FirstOrDefault();
        return new TailnetSummary(nodes.Order(StringComparer.Ordinal).ToList(), users.Order(StringComparer.Ordinal).ToList(), policy is null ? null : Sha256(policy));
    }

    public static int SchemaVersion(string databaseCopy)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = databaseCopy, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        return SchemaVersion(connection);
    }

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

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
