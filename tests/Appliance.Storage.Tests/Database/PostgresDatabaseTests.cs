using System.Net;
using Appliance.Storage.Database;
using Appliance.Storage.Stores;
using Appliance.Storage.Tests.Support;
using Appliance.TestKit.Postgres;
using Appliance.TestKit.Time;
using Npgsql;

namespace Appliance.Storage.Tests.Database;

/// <summary>
/// Opening a PostgreSQL database, and what several appliances on one database rely on: migrations run once, and
/// uniqueness (addresses, keys, names, single-use pre-auth keys) is the database's, not one process's.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class PostgresDatabaseTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Fact]
    public void A_new_database_is_migrated_to_the_latest_schema()
    {
        using var db = ApplianceDatabase.OpenPostgres(new PostgresSettings(cluster.CreateDatabase()), TestTime.Create());

        Assert.Equal(SqlDialect.Postgres, db.Dialect);
        Assert.Equal(MigrationCatalog.Embedded.LatestVersion, db.SchemaVersion);
        Assert.Equal(0, db.Report.FromVersion);
        Assert.Equal(Enumerable.Range(1, MigrationCatalog.Embedded.LatestVersion), db.Report.Applied);
        Assert.Null(db.Report.BackupPath);
        Assert.StartsWith("postgresql://appliance@", db.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Reopening_applies_nothing_and_keeps_the_data()
    {
        var connection = cluster.CreateDatabase();
        var time = TestTime.Create();
        using (var first = ApplianceDatabase.OpenPostgres(new PostgresSettings(connection), time))
        {
            new UserStore(first).Insert("alice", null, null, time.GetUtcNow());
        }

        using var second = ApplianceDatabase.OpenPostgres(new PostgresSettings(connection), time);

        Assert.Empty(second.Report.Applied);
        Assert.Equal("alice", Assert.Single(new UserStore(second).List()).Name);
    }

    [Fact]
    public async Task Appliances_starting_together_migrate_the_database_once()
    {
        var connection = cluster.CreateDatabase();

        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            ApplianceDatabase.OpenPostgres(new PostgresSettings(connection), TestTime.Create()))));
        try
        {
            Assert.Single(opened, d => d.Report.Applied.Count > 0);
            Assert.All(opened, d => Assert.Equal(MigrationCatalog.Embedded.LatestVersion, d.SchemaVersion));
        }
        finally
        {
            foreach (var d in opened)
            {
                d.Dispose();
            }
        }
    }

    [Fact]
    public void A_database_with_someone_elses_tables_is_refused_and_left_alone()
    {
        var connection = cluster.CreateDatabase();
        Execute(connection, "CREATE TABLE invoices (id INTEGER);");

        var refused = Assert.Throws<DatabaseRefusedException>(() => ApplianceDatabase.OpenPostgres(new PostgresSettings(connection), TestTime.Create()));

        Assert.Equal(DatabaseRefusal.ForeignDatabase, refused.Reason);
        Assert.Equal(0L, Scalar(connection, "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_version';"));
    }

    [Fact]
    public void A_database_from_a_newer_release_is_refused()
    {
        var connection = cluster.CreateDatabase();
        using (ApplianceDatabase.OpenPostgres(new PostgresSettings(connection), TestTime.Create()))
        {
        }

        Execute(connection, "INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'future', 0);");

        var refused = Assert.Throws<DatabaseRefusedException>(() => ApplianceDatabase.OpenPostgres(new PostgresSettings(connection), TestTime.Create()));

        Assert.Equal(DatabaseRefusal.NewerSchema, refused.Reason);
    }

    [Fact]
    public void An_unreachable_server_is_a_clear_refusal_naming_where_it_looked()
    {
        var settings = new PostgresSettings(Host: Path.Combine(cluster.Folder, "no-such-socket-folder"), Database: "x", User: "appliance");

        var refused = Assert.Throws<DatabaseRefusedException>(() => ApplianceDatabase.OpenPostgres(settings, TestTime.Create()));

        Assert.Equal(DatabaseRefusal.Unreachable, refused.Reason);
        Assert.Contains("no-such-socket-folder", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_password_comes_from_the_password_file_and_never_appears_in_the_display_name()
    {
        using var folder = new TempFolder();
        var file = folder.Combine("pw");
        File.WriteAllText(file, "s3cret\n");
        var settings = new PostgresSettings(Connection: "Host=db.example;Database=tailnet", User: "appliance", Port: 5433, PasswordFile: file);

        var built = new NpgsqlConnectionStringBuilder(settings.ToConnectionString());

        Assert.Equal("s3cret", built.Password);
        Assert.Equal(5433, built.Port);
        Assert.Equal("postgresql://appliance@db.example:5433/tailnet", settings.Display());
        Assert.DoesNotContain("s3cret", settings.Display(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_appliances_on_one_database_cannot_both_use_a_single_use_key()
    {
        var connection = cluster.CreateDatabase();
        var time = TestTime.Create();
        using var a = ApplianceDatabase.OpenPostgres(new PostgresSettings(connection), time);
        using var b = ApplianceDatabase.OpenPostgres(new PostgresSettings(connection), time);
        new PreAuthKeyStore(a).Insert(TestKeys.New("apk_shared", "s3cret", time.GetUtcNow()));
        var hash = SecretHashes.Hash("s3cret");

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            new PreAuthKeyStore(i % 2 == 0 ? a : b).TryUse("apk_shared", hash, time.GetUtcNow()))));

        Assert.Single(results, r => r.IsValid);
        Assert.Equal(1L, new PreAuthKeyStore(b).GetByPrefix("apk_shared")!.UsedCount);
    }

    [Fact]
    public void Two_appliances_on_one_database_cannot_hand_out_the_same_address_or_name()
    {
        var connection = cluster.CreateDatabase();
        var time = TestTime.Create();
        using var a = ApplianceDatabase.OpenPostgres(new PostgresSettings(connection), time);
        using var b = ApplianceDatabase.OpenPostgres(new PostgresSettings(connection), time);
        var now = time.GetUtcNow();
        Assert.True(new NodeStore(a).Insert(TestNodes.New(1, now)).IsOk);

        var sameAddress = new NodeStore(b).Insert(TestNodes.New(2, now) with { IPv4 = IPAddress.Parse("100.64.0.1") });
        var sameName = new NodeStore(b).Insert(TestNodes.New(3, now) with { GivenName = "host-1" });
        var sameMachine = new NodeStore(b).Upsert(TestNodes.Machine(1), existing => existing is null ? TestNodes.New(1, now) : existing with { Hostname = "renamed" });

        Assert.Equal(WriteStatus.Conflict, sameAddress.Status);
        Assert.Equal(WriteStatus.Conflict, sameName.Status);
        Assert.True(sameMachine.IsOk);
        Assert.Equal("renamed", new NodeStore(a).GetByMachineKey(TestNodes.Machine(1))!.Hostname);
        Assert.Single(new NodeStore(a).List());
    }

    private static void Execute(string connection, string sql)
    {
        using var c = new NpgsqlConnection(connection);
        c.Open();
        using var command = new NpgsqlCommand(sql, c);
        command.ExecuteNonQuery();
    }

    private static object? Scalar(string connection, string sql)
    {
        using var c = new NpgsqlConnection(connection);
        c.Open();
        using var command = new NpgsqlCommand(sql, c);
        return command.ExecuteScalar();
    }
}
