using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.Storage.Tests.Support;
using Appliance.TestKit.Time;

namespace Appliance.Storage.Tests.Database;

public sealed class ApplianceDatabaseTests
{
    private static readonly string[] Tables = ["api_keys", "audit_anchors", "console_sessions", "ha_changes", "ha_instance_settings", "ha_instances", "ha_leases", "ha_presence", "ha_secrets", "nodes", "pending_logins", "policy_versions", "pre_auth_keys", "schema_version", "users"];

    [Fact]
    public void A_new_database_is_created_0600_in_wal_mode_with_every_table_and_no_backup()
    {
        using var temp = new TempFolder();
        using var data = DataDirectory.Open(temp.Combine("data"));

        using (var db = ApplianceDatabase.Open(data, TestTime.Create()))
        {
            Assert.Equal(0, db.Report.FromVersion);
            Assert.Equal(MigrationCatalog.Embedded.LatestVersion, db.SchemaVersion);
            Assert.Equal(Enumerable.Range(1, MigrationCatalog.Embedded.LatestVersion), db.Report.Applied);
            Assert.Null(db.Report.BackupPath);
        }

        Assert.Equal(SecureFiles.OwnerOnlyFile, UnixModes.Of(data.DatabasePath));
        Assert.Equal("wal", RawSqlite.Scalar(data.DatabasePath, "PRAGMA journal_mode;"));
        var tables = ListTables(data.DatabasePath);
        Assert.Equal(Tables, tables);
        Assert.False(Directory.Exists(data.BackupPath));
    }

    [Fact]
    public void Opening_an_up_to_date_database_again_applies_nothing_and_keeps_the_data()
    {
        using var temp = new TempFolder();
        using var data = DataDirectory.Open(temp.Combine("data"));
        ApplianceDatabase.Open(data, TestTime.Create()).Dispose();
        RawSqlite.Execute(data.DatabasePath, "INSERT INTO users (name, created_at) VALUES ('alice', 1);");

        using var again = ApplianceDatabase.Open(data, TestTime.Create());

        Assert.Empty(again.Report.Applied);
        Assert.Null(again.Report.BackupPath);
        Assert.Equal(1L, RawSqlite.Scalar(data.DatabasePath, "SELECT count(*) FROM users;"));
        Assert.Equal((long)again.SchemaVersion, RawSqlite.Scalar(data.DatabasePath, "SELECT count(*) FROM schema_version;"));
    }

    [Fact]
    public void A_backup_of_the_old_schema_is_taken_before_migrating_an_existing_database()
    {
        using var temp = new TempFolder();
        using var data = DataDirectory.Open(temp.Combine("data"));
        var time = TestTime.Create(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        ApplianceDatabase.Open(data, time, TestCatalogs.One).Dispose();
        RawSqlite.Execute(data.DatabasePath, "INSERT INTO things (name) VALUES ('before');");

        using var db = ApplianceDatabase.Open(data, time, TestCatalogs.Two);

        Assert.Equal(1, db.Report.FromVersion);
        Assert.Equal([2], db.Report.Applied);
        var backup = Assert.IsType<string>(db.Report.BackupPath);
        Assert.Equal(Path.Combine(data.BackupPath, "appliance-0001-20260102T030405Z.db"), backup);
        Assert.Equal(SecureFiles.OwnerOnlyFile, UnixModes.Of(backup));
        Assert.Equal(SecureFiles.OwnerOnlyDirectory, UnixModes.Of(data.BackupPath));
        Assert.Equal("before", RawSqlite.Scalar(backup, "SELECT name FROM things;"));
        Assert.Equal(1L, RawSqlite.Scalar(backup, "SELECT max(version) FROM schema_version;"));
        Assert.Equal(0L, RawSqlite.Scalar(backup, "SELECT count(*) FROM sqlite_schema WHERE name = 'more';"));
        Assert.Equal(2L, RawSqlite.Scalar(data.DatabasePath, "SELECT max(version) FROM schema_version;"));
    }

    [Fact]
    public void A_failing_migration_leaves_the_database_at_its_old_version()
    {
        using var temp = new TempFolder();
        using var data = DataDirectory.Open(temp.Combine("data"));
        ApplianceDatabase.Open(data, TestTime.Create(), TestCatalogs.One).Dispose();

        var error = Assert.Throws<InvalidOperationException>(() => ApplianceDatabase.Open(data, TestTime.Create(), TestCatalogs.BrokenSecond));

        Assert.Contains("0002_broken", error.Message, StringComparison.Ordinal);
        Assert.Equal(1L, RawSqlite.Scalar(data.DatabasePath, "SELECT max(version) FROM schema_version;"));
        Assert.Equal(0L, RawSqlite.Scalar(data.DatabasePath, "SELECT count(*) FROM sqlite_schema WHERE name = 'half';"));
    }

    [Fact]
    public void A_database_from_a_newer_release_is_refused_and_not_written()
    {
        using var temp = new TempFolder();
        using var data = DataDirectory.Open(temp.Combine("data"));
        ApplianceDatabase.Open(data, TestTime.Create(), TestCatalogs.Two).Dispose();
        var before = File.ReadAllBytes(data.DatabasePath);

        var refused = Assert.Throws<DatabaseRefusedException>(() => ApplianceDatabase.Open(data, TestTime.Create(), TestCatalogs.One));

        Assert.Equal(DatabaseRefusal.NewerSchema, refused.Reason);
        Assert.Contains("schema version 2", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(data.DatabasePath));
        Assert.False(Directory.Exists(data.BackupPath));
    }

    [Fact]
    public void A_file_that_is_not_sqlite_is_refused_and_not_written()
    {
        using var temp = new TempFolder();
        using var data = DataDirectory.Open(temp.Combine("data"));
        var junk = new byte[5000];
        new Random(7).NextBytes(junk);
        File.WriteAllBytes(data.DatabasePath, junk);

        var refused = Assert.Throws<DatabaseRefusedException>(() => ApplianceDatabase.Open(data, TestTime.Create()));

        Assert.Equal(DatabaseRefusal.NotADatabase, refused.Reason);
        Assert.Equal(junk, File.ReadAllBytes(data.DatabasePath));
    }

    [Fact]
    public void A_truncated_header_is_refused_as_not_a_database()
    {
        using var temp = new TempFolder();
        using var data = DataDirectory.Open(temp.Combine("data"));
        File.WriteAllBytes(data.DatabasePath, "SQLite for"u8.ToArray());

        var refused = Assert.Throws<DatabaseRefusedException>(() => ApplianceDatabase.Open(data, TestTime.Create()));

        Assert.Equal(DatabaseRefusal.NotADatabase, refused.Reason);
    }

    [Fact]
    public void A_sqlite_file_with_damaged_pages_is_refused_as_corrupt_and_not_written()
    {
        using var temp = new TempFolder();
        using var data = DataDirectory.Open(temp.Combine("data"));
        ApplianceDatabase.Open(data, TestTime.Create()).Dispose();
        RawSqlite.Execute(
            data.DatabasePath,
            "PRAGMA journal_mode = DELETE; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) " +
            "INSERT INTO users (name, created_at) SELECT 'user-' || i, i FROM n;");
        var bytes = File.ReadAllBytes(data.DatabasePath);
        var pageSize = Convert.ToInt32(RawSqlite.Scalar(data.DatabasePath, "PRAGMA page_size;"), System.Globalization.CultureInfo.InvariantCulture);
        Array.Fill(bytes, (byte)0xA5, pageSize * 3, pageSize * 4);
        File.WriteAllBytes(data.DatabasePath, bytes);

        var refused = Assert.Throws<DatabaseRefusedException>(() => ApplianceDatabase.Open(data, TestTime.Create()));

        Assert.Equal(DatabaseRefusal.Corrupt, refused.Reason);
        Assert.Contains("corrupt", refused.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(data.DatabasePath));
    }

    [Fact]
    public void A_sqlite_database_of_another_program_is_refused_and_not_written()
    {
        using var temp = new TempFolder();
        using var data = DataDirectory.Open(temp.Combine("data"));
        RawSqlite.Execute(data.DatabasePath, "CREATE TABLE other (x INTEGER);");
        var before = File.ReadAllBytes(data.DatabasePath);

        var refused = Assert.Throws<DatabaseRefusedException>(() => ApplianceDatabase.Open(data, TestTime.Create()));

        Assert.Equal(DatabaseRefusal.ForeignDatabase, refused.Reason);
        Assert.Equal(before, File.ReadAllBytes(data.DatabasePath));
    }

    [Fact]
    public void A_zero_length_file_is_treated_as_a_new_database()
    {
        using var temp = new TempFolder();
        using var data = DataDirectory.Open(temp.Combine("data"));
        File.WriteAllBytes(data.DatabasePath, []);

        using var db = ApplianceDatabase.Open(data, TestTime.Create());

        Assert.Equal(MigrationCatalog.Embedded.LatestVersion, db.SchemaVersion);
        Assert.Null(db.Report.BackupPath);
    }

    [Fact]
    public void Foreign_keys_are_enforced_on_every_connection()
    {
        using var test = new TestDatabase();
        using var connection = test.Database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA foreign_keys;";

        Assert.Equal(1L, command.ExecuteScalar());
    }

    private static List<string> ListTables(string path)
    {
        using var connection = RawSqlite.Open(path, Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
