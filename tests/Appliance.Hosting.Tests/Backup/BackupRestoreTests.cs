using System.Security.Cryptography;
using Appliance.Hosting.Backup;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Tests.Admin;
using Appliance.Hosting.Tests.Cli;
using Appliance.Storage.Audit;

namespace Appliance.Hosting.Tests.Backup;

/// <summary>
/// `backup restore` is all or nothing: a failure injected at any step before the swap leaves the data folder exactly
/// as it was (same entries, same bytes); a successful restore keeps the appliance's backups and audit log.
/// </summary>
public sealed class BackupRestoreTests
{
    private static async Task<(AdminTestFolder Folder, string Archive)> FolderWithArchiveAsync()
    {
        var folder = new AdminTestFolder().WithDatabase();
        await CliRun.RunAsync("users", "create", "alice", "--data-dir", folder.DataDir);
        var options = new ApplianceOptions();
        options.Server.DataDir = folder.DataDir;
        var archive = BackupWriter.Create(new BackupSources(options, configFile: null), DateTimeOffset.UtcNow);
        // A change after the backup, which a restore rolls back and a failed restore must keep.
        await CliRun.RunAsync("users", "create", "bob", "--data-dir", folder.DataDir);
        return (folder, archive);
    }

    private static SortedDictionary<string, string> Snapshot(string folder) =>
        new(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "appliance.lock")
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);

    [Theory]
    [InlineData("unpack")]
    [InlineData("keep")]
    [InlineData("swap")]
    public async Task A_failure_at_any_step_leaves_the_data_folder_as_it_was(string failAt)
    {
        var (folder, archive) = await FolderWithArchiveAsync();
        using (folder)
        {
            var before = Snapshot(folder.DataDir);
            Assert.Contains(Path.Combine("backups", Path.GetFileName(archive)), before.Keys);

            var error = Assert.Throws<IOException>(() => BackupRestore.Restore(archive, folder.DataDir, DateTimeOffset.UtcNow, step =>
            {
                if (step == failAt)
                {
                    throw new IOException("injected failure at " + step);
                }
            }));

            Assert.Contains(failAt, error.Message, StringComparison.Ordinal);
            Assert.Equal(before, Snapshot(folder.DataDir));
            Assert.Equal([Path.GetFileName(folder.DataDir)], Directory.GetDirectories(folder.Path).Select(Path.GetFileName));
        }
    }

    [Fact]
    public async Task A_restore_replaces_the_tailnet_and_keeps_the_backups_and_the_audit_log_whose_chain_continues()
    {
        var (folder, archive) = await FolderWithArchiveAsync();
        using (folder)
        {
            var restored = await CliRun.RunAsync("backup", "restore", archive, "--data-dir", folder.DataDir);
            Assert.True(restored.ExitCode == 0, restored.Error);

            var users = await CliRun.RunAsync("users", "list", "-o", "json", "--data-dir", folder.DataDir);
            Assert.Contains("alice", users.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("bob", users.Out, StringComparison.Ordinal);
            Assert.True(File.Exists(archive));

            var actions = AuditLogReader.Read(AuditLogFiles.FolderOf(folder.DataDir)).Select(r => r.Record.Action).ToList();
            Assert.Equal(["user.create", "user.create", "backup.restore"], actions);
            var verify = await CliRun.RunAsync("audit", "verify", "--data-dir", folder.DataDir);
            Assert.True(verify.ExitCode == 0, verify.Error);
        }
    }

    [Fact]
    public async Task A_restore_keeps_the_installed_releases_and_the_update_root_that_the_systemd_unit_runs()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        var updates = Path.Combine(folder.DataDir, "updates");
        Directory.CreateDirectory(Path.Combine(updates, "releases", "1.0.0"));
        await File.WriteAllTextAsync(Path.Combine(updates, "releases", "1.0.0", "appliance"), "release 1.0.0");
        File.CreateSymbolicLink(Path.Combine(updates, "current"), "releases/1.0.0");
        await File.WriteAllTextAsync(Path.Combine(updates, "root.json"), "root v1");
        await CliRun.RunAsync("users", "create", "alice", "--data-dir", folder.DataDir);
        var options = new ApplianceOptions();
        options.Server.DataDir = folder.DataDir;
        var archive = BackupWriter.Create(new BackupSources(options, configFile: null), DateTimeOffset.UtcNow);

        // After the backup: a newer release behind updates/current (the unit's ExecStart) and a rotated trust root.
        // Archives leave releases out, so a restore that replaced updates/ would leave the unit nothing to start.
        Directory.CreateDirectory(Path.Combine(updates, "releases", "1.0.1"));
        await File.WriteAllTextAsync(Path.Combine(updates, "releases", "1.0.1", "appliance"), "release 1.0.1");
        File.Delete(Path.Combine(updates, "current"));
        File.CreateSymbolicLink(Path.Combine(updates, "current"), "releases/1.0.1");
        await File.WriteAllTextAsync(Path.Combine(updates, "root.json"), "root v2");
        await CliRun.RunAsync("users", "create", "bob", "--data-dir", folder.DataDir);

        var restored = await CliRun.RunAsync("backup", "restore", archive, "--data-dir", folder.DataDir);

        Assert.True(restored.ExitCode == 0, restored.Error);
        Assert.DoesNotContain("bob", (await CliRun.RunAsync("users", "list", "-o", "json", "--data-dir", folder.DataDir)).Out, StringComparison.Ordinal);
        Assert.Equal("releases/1.0.1", new FileInfo(Path.Combine(updates, "current")).LinkTarget);
        Assert.Equal("release 1.0.1", await File.ReadAllTextAsync(Path.Combine(updates, "current", "appliance")));
        Assert.Equal("root v2", await File.ReadAllTextAsync(Path.Combine(updates, "root.json")));
        Assert.Equal("root v1", await File.ReadAllTextAsync(Path.Combine(folder.DataDir, "restored-updates", "root.json")));
    }
}
