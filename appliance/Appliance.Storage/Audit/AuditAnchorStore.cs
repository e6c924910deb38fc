using System.Data.Common;
using Appliance.Storage.Database;
using Appliance.Storage.Stores;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Appliance.Storage.Audit;

/// <summary>The <c>audit_anchors</c> table (migration 0003): one row per audit file closed by rotation.</summary>
public sealed class AuditAnchorStore(ApplianceDatabase database)
{
    /// <summary>Records a closed file; recording the same file again (a rotation retried after a crash) changes nothing.</summary>
    public void Add(AuditAnchor anchor)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            "INSERT INTO audit_anchors (file_name, first_seq, last_seq, last_hash, created_at) VALUES (@f, @a, @b, @h, @t) ON CONFLICT (file_name) DO NOTHING;")
            .With("@f", anchor.FileName).With("@a", anchor.FirstSeq).With("@b", anchor.LastSeq).With("@h", anchor.LastHash)
            .With("@t", SqlValues.ToDb(anchor.CreatedAt));
        command.ExecuteNonQuery();
    }

    public IReadOnlyList<AuditAnchor> List()
    {
        using var connection = database.OpenConnection();
        return Read(connection);
    }

    /// <summary>
    /// Reads the anchors without opening the database for writing (verify runs beside a running service, or on a
    /// copy). A database without the table (older schema) has no anchors.
    /// </summary>
    public static IReadOnlyList<AuditAnchor> ReadOnly(string databasePath)
    {
        if (!File.Exists(databasePath))
        {
            return [];
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        using (var exists = connection.Command("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_anchors';"))
        {
            if (Convert.ToInt64(exists.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return [];
            }
        }

        return Read(connection);
    }

    /// <summary>
    /// Reads the anchors from the appliance's PostgreSQL database in a read-only transaction, without migrating or
    /// writing anything (verify runs beside running services). A database without the table has no anchors.
    /// </summary>
    /// <exception cref="DatabaseRefusedException">The settings are unusable, or the server cannot be reached or refused the login.</exception>
    public static IReadOnlyList<AuditAnchor> ReadOnly(PostgresSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            return ReadOnlyPostgres(settings.ToConnectionString());
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // Only Storage speaks to the driver (architecture test): callers see the appliance's own refusal.
            throw new DatabaseRefusedException(DatabaseRefusal.Unreachable, e.Message, e);
        }
    }

    private static List<AuditAnchor> ReadOnlyPostgres(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using (var readOnly = connection.Command("SET TRANSACTION READ ONLY;", transaction))
        {
            readOnly.ExecuteNonQuery();
        }

        // to_regclass resolves the name through the connection's search_path, as the stores' unqualified names do.
        using (var exists = connection.Command("SELECT to_regclass('audit_anchors') IS NOT NULL;", transaction))
        {
            if (exists.ExecuteScalar() is not true)
            {
                return [];
            }
        }

        using var command = connection.Command("SELECT file_name, first_seq, last_seq, last_hash, created_at FROM audit_anchors ORDER BY first_seq;", transaction);
        return command.ReadAll(Anchor);
    }

    private static List<AuditAnchor> Read(DbConnection connection)
    {
        using var command = connection.Command("SELECT file_name, first_seq, last_seq, last_hash, created_at FROM audit_anchors ORDER BY first_seq;");
        return command.ReadAll(Anchor);
    }

    private static AuditAnchor Anchor(DbDataReader r) => new(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), SqlValues.Time(r, 4));
}
