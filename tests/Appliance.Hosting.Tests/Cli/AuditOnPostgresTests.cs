using Appliance.Hosting.Tests.Admin;
using Appliance.Storage.Audit;
using Appliance.TestKit.Postgres;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>
/// On PostgreSQL the rotation anchors live in the site's database: CLI verbs in direct mode anchor each rotated file
/// there, and `audit verify` reads them back through the configured `database.*` keys (not a SQLite file), so a
/// deleted rotated file is named. An unreachable server is exit 69, never "intact".
/// </summary>
[Trait("Category", "Postgres")]
public sealed class AuditOnPostgresTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    private static string Config(AdminTestFolder folder, string connection)
    {
        var path = Path.Combine(folder.Path, "appliance.yaml");
        File.WriteAllText(path, $"""
            server:
              data_dir: "{folder.DataDir}"
            database:
              type: postgres
              connection: "{connection}"
            audit:
              max_file_kib: 1
            """);
        return path;
    }

    [Fact]
    public async Task Verify_checks_the_rotation_anchors_kept_in_postgres_and_names_a_deleted_file()
    {
        using var folder = new AdminTestFolder();
        Directory.CreateDirectory(folder.DataDir);
        var config = Config(folder, cluster.CreateDatabase("audit"));
        for (var i = 0; i < 12; i++)
        {
            var created = await CliRun.RunAsync("users", "create", $"person{i}", "-c", config);
            Assert.True(created.ExitCode == 0, created.Error);
        }

        Assert.False(File.Exists(Path.Combine(folder.DataDir, "appliance.db")), "on PostgreSQL there is no SQLite file to read anchors from");
        var files = Directory.GetFiles(AuditLogFiles.FolderOf(folder.DataDir), "audit-*.log").Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count >= 3, string.Join(", ", files));

        var intact = await CliRun.RunAsync("audit", "verify", "-c", config);
        Assert.True(intact.ExitCode == 0, intact.Error);
        Assert.Contains($"12 record(s) in {files.Count} file(s), {files.Count - 1} rotation anchor(s) match", intact.Out, StringComparison.Ordinal);

        // A middle file replaced by nothing: only the anchor in PostgreSQL says it existed with those lines.
        File.Delete(files[1]);
        var tampered = await CliRun.RunAsync("audit", "verify", "-c", config);
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains($"{Path.GetFileName(files[1])}: removed: the database anchored it", tampered.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_with_postgres_unreachable_exits_69_and_says_the_anchors_were_not_checked()
    {
        using var folder = new AdminTestFolder();
        Directory.CreateDirectory(Path.Combine(folder.DataDir, "audit"));
        var config = Config(folder, $"Host={Path.Combine(folder.Path, "no-server")};Username=appliance;Database=none;Timeout=3");

        var verify = await CliRun.RunAsync("audit", "verify", "-c", config);

        Assert.Equal(69, verify.ExitCode);
        Assert.Contains("cannot read the rotation anchors from PostgreSQL", verify.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("intact", verify.Out, StringComparison.Ordinal);
    }
}
