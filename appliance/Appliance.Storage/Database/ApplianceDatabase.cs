using System.Data.Common;
using Appliance.Storage.Files;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Appliance.Storage.Database;

/// <summary>
/// The appliance's SQLite database, `&lt;data&gt;/appliance.db`, in WAL mode with foreign keys on.
/// Opening it: a read-only inspection (refuse a non-SQLite, corrupt, foreign or newer-schema file, writing nothing),
/// then a backup when an existing database needs migrating, then the pending migrations in one transaction.
/// Stores get a pooled connection per operation from <see cref="OpenConnection"/>; SQLite serialises writers, and
/// each write runs in a BEGIN IMMEDIATE transaction so concurrent writers wait (busy timeout) instead of failing.
/// Or, when configured (`database.type: postgres`), a PostgreSQL database through one Npgsql data source
/// (<see cref="OpenPostgres"/>): the same stores, the same migrations (<see cref="MigrationCatalog"/>).
/// </summary>
public sealed class ApplianceDatabase : IDisposable
{
    /// <summary>How long a writer waits for another writer before SQLITE_BUSY.</summary>
    public const int BusyTimeoutMilliseconds = 5000;

    private readonly string _connectionString;
    private readonly NpgsqlDataSource? _postgres;
    private readonly AsyncLocal<JoinedConnection?> _joined = new();

    private ApplianceDatabase(NpgsqlDataSource postgres, string display, TimeProvider time, MigrationReport report, string instanceId)
    {
        _postgres = postgres;
        InstanceId = instanceId;
        _connectionString = "";
        Dialect = SqlDialect.Postgres;
        Path = display;
        Time = time;
        Report = report;
    }

    private ApplianceDatabase(string path, TimeProvider time, MigrationReport report)
    {
        Path = path;
        Time = time;
        Report = report;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();
    }

    /// <summary>The SQLite file; for PostgreSQL the server and database name (never the password), for messages.</summary>
    public string Path { get; }

    public SqlDialect Dialect { get; }

    public TimeProvider Time { get; }

    public MigrationReport Report { get; }

    public int SchemaVersion => Report.ToVersion;

    /// <summary>
    /// This process's name among the appliances sharing a PostgreSQL database (docs/ops/ha.md): every connection
    /// carries it as application_name, so the change triggers record which instance wrote a row. New for each start,
    /// so a restarted instance never inherits a crashed one's presence. SQLite: "local".
    /// </summary>
    public string InstanceId { get; } = "local";

    /// <summary>True when several appliances may share this database (PostgreSQL).</summary>
    public bool IsShared => _postgres is not null;

    /// <summary>The PostgreSQL data source, for the change listener's dedicated connection.</summary>
    internal NpgsqlDataSource? PostgresSource => _postgres;

    /// <summary>Opens the database in a locked data folder, migrating it to this binary's schema.</summary>
    /// <exception cref="DatabaseRefusedException">Newer schema, corrupt, not SQLite, or not the appliance's; nothing written.</exception>
    public static ApplianceDatabase Open(DataDirectory directory, TimeProvider time, MigrationCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(time);
        catalog ??= MigrationCatalog.Embedded;
        var path = directory.DatabasePath;

        var found = DatabaseInspection.Inspect(path);
        if (found.SchemaVersion > catalog.LatestVersion)
        {
            throw new DatabaseRefusedException(
                DatabaseRefusal.NewerSchema,
                $"The database '{path}' has schema version {found.SchemaVersion}, but this appliance only knows up to " +
                $"{catalog.LatestVersion}: it was written by a newer release. Nothing was changed. Run the newer release, " +
                "or restore a backup taken before the upgrade.");
        }

        SecureFiles.EnsureFile(path);
        var database = new ApplianceDatabase(path, time, new MigrationReport(found.SchemaVersion, found.SchemaVersion, [], null));
        try
        {
            return database.Migrate(directory, catalog, found);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the appliance's PostgreSQL database, migrating it to this binary's schema under an advisory lock (so
    /// several appliances starting at once migrate it once). The database must exist; the appliance creates only
    /// its own tables in the connection's schema. No file backup is taken: PostgreSQL's own backups apply.
    /// </summary>
    /// <exception cref="DatabaseRefusedException">Unreachable, newer schema, or not the appliance's; nothing written.</exception>
    public static ApplianceDatabase OpenPostgres(PostgresSettings settings, TimeProvider time, MigrationCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        catalog ??= MigrationCatalog.Embedded;
        var builder = new NpgsqlDataSourceBuilder(settings.ToConnectionString());
        var instanceId = NewInstanceId();
        builder.ConnectionStringBuilder.ApplicationName = instanceId;
        var display = settings.Display();
        var source = builder.Build();
        try
        {
            var report = PostgresSchema.Migrate(source, display, catalog, time.GetUtcNow());
            return new ApplianceDatabase(source, display, time, report, instanceId);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>host-pid-random, at most 63 bytes (PostgreSQL's NAMEDATALEN for application_name).</summary>
    private static string NewInstanceId()
    {
        var host = Environment.MachineName.Length > 32 ? Environment.MachineName[..32] : Environment.MachineName;
        return $"{host}-{Environment.ProcessId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";
    }

    /// <summary>An open pooled connection with this database's per-connection settings. Dispose it after use.</summary>
    /// <remarks>Inside <see cref="InTransaction{T}"/> on this flow: that transaction's connection (disposing it leaves it open).</remarks>
    public DbConnection OpenConnection()
    {
        if (_joined.Value is { IsOpen: true } joined)
        {
            return joined;
        }

        if (_postgres is not null)
        {
            var pooled = _postgres.OpenConnection();
            StorageMetrics.Track(pooled);
            return pooled;
        }

        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        // synchronous=NORMAL is safe in WAL mode (a power cut can lose the last commits, never corrupt) and
        // avoids an fsync per commit, which registration bursts need.
        command.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA synchronous = NORMAL;";
        command.ExecuteNonQuery();
        StorageMetrics.Track(connection);
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> as one write transaction: every store operation it makes on this database (on this
    /// flow) joins it, and it commits only when <paramref name="keep"/> says so of the result. A result not kept, or
    /// an exception (the database refused a write: full, read-only), rolls back every row the work wrote, so a
    /// command of several writes is all or nothing (issue 12). SQLite: BEGIN IMMEDIATE (other writers wait);
    /// PostgreSQL: READ COMMITTED, with the statements' own row locks. Called inside another, it is a savepoint.
    /// </summary>
    internal T InTransaction<T>(Func<T> work, Func<T, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(keep);
        if (_joined.Value is { IsOpen: true } outer)
        {
            using var savepoint = outer.BeginTransaction();
            var inner = work();
            if (keep(inner))
            {
                savepoint.Commit();
            }

            return inner;
        }

        using var connection = OpenConnection();
        using var transaction = Stores.DbCommands.BeginWrite(connection);
        using var joined = new JoinedConnection(connection, transaction);
        _joined.Value = joined;
        try
        {
            var result = work();
            if (keep(result))
            {
                transaction.Commit();
            }

            return result;
        }
        finally
        {
            joined.IsOpen = false;
            _joined.Value = null;
        }
    }

    /// <summary>Closes pooled connections so the file is released (and the WAL checkpointed).</summary>
    public void Dispose()
    {
        if (_postgres is not null)
        {
            _postgres.Dispose();
            return;
        }

        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private ApplianceDatabase Migrate(DataDirectory directory, MigrationCatalog catalog, DatabaseInspection found)
    {
        string? backup = null;
        IReadOnlyList<int> applied;
        using (var connection = (SqliteConnection)OpenConnection())
        {
            using (var wal = connection.CreateCommand())
            {
                wal.CommandText = "PRAGMA journal_mode = WAL;";
                wal.ExecuteNonQuery();
            }

            var now = Time.GetUtcNow();
            if (!found.IsEmpty && found.SchemaVersion < catalog.LatestVersion)
            {
                backup = DatabaseBackup.Create(connection, directory.BackupPath, found.SchemaVersion, now);
            }

            applied = MigrationRunner.Apply(connection, SqlDialect.Sqlite, catalog, found.SchemaVersion, now);
        }

        SecureFiles.RestrictToOwner(Path + "-wal");
        SecureFiles.RestrictToOwner(Path + "-shm");
        return new ApplianceDatabase(Path, Time, new MigrationReport(found.SchemaVersion, catalog.LatestVersion, applied, backup));
    }
}
