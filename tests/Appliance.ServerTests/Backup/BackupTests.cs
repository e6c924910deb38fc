using System.Net;
using Appliance.Hosting.Backup;
using Appliance.Hosting.Configuration;
using Appliance.ServerTests.EndToEnd;
using Appliance.ServerTests.Support;
using Appliance.State.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.Backup;

/// <summary>
/// Issue 15's backups: an archive taken while the tailnet is being written restores into a server that holds the same
/// nodes, users and policy; damaged archives, a restore onto a running appliance, a full disk and kill -9 during a
/// backup each end with a clear error, nothing overwritten and earlier archives still restorable.
/// </summary>
[Trait("Category", "Slow")]
public sealed class BackupTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private const string Policy = """{"acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"]}]}""";

    [Fact]
    public async Task A_backup_taken_under_write_load_restores_into_a_server_with_the_same_nodes_users_and_policy()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync("policy.hujson", Policy);
        await JoinNodesAsync(appliance, 3);
        var identity = appliance.Services.GetRequiredService<IdentityService>();
        using var stop = new CancellationTokenSource();
        var writes = Task.Run(() =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                Assert.True(identity.CreateUser($"load-{n++}").IsOk);
            }

            return n;
        });

        var sources = Sources(appliance);
        await Task.Delay(100);
        var archive = BackupWriter.Create(sources, DateTimeOffset.UtcNow);
        await stop.CancelAsync();
        var written = await writes;

        var differences = await BackupDrill.VerifyAsync(archive);
        Assert.Empty(differences);
        using var scratch = new TempFolder();
        var manifest = BackupReader.Extract(archive, scratch.Path);
        Assert.Equal(3, manifest.Tailnet.Nodes.Count);
        Assert.InRange(manifest.Tailnet.Users.Count(u => u.StartsWith("load-", StringComparison.Ordinal)), 1, written);
        Assert.NotNull(manifest.Tailnet.PolicySha256);
        Assert.Contains(manifest.Files, f => f.Path == "policy/policy.hujson");
        Assert.Contains(manifest.Files, f => f.Path == "data/noise_server.key" || f.Path.StartsWith("data/ca/", StringComparison.Ordinal));
        Assert.DoesNotContain(manifest.Files, f => f.Path.Contains("admin.sock", StringComparison.Ordinal) || f.Path.Contains("appliance.lock", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_corrupt_or_truncated_archive_is_refused_with_the_reason_and_verify_exits_1()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync();
        await JoinNodesAsync(appliance, 1);
        var archive = BackupWriter.Create(Sources(appliance), DateTimeOffset.UtcNow);
        var bytes = await File.ReadAllBytesAsync(archive);

        using var scratch = new TempFolder();
        var truncated = Path.Combine(scratch.Path, "truncated.tar");
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<BackupException>(() => BackupReader.Extract(truncated, Path.Combine(scratch.Path, "t")));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);

        var corrupt = Path.Combine(scratch.Path, "corrupt.tar");
        var flipped = (byte[])bytes.Clone();
        flipped[1024 + 700] ^= 0xFF; // inside the first file's data (after its 512-byte header and the pax header)
        await File.WriteAllBytesAsync(corrupt, flipped);
        error = Assert.Throws<BackupException>(() => BackupReader.Extract(corrupt, Path.Combine(scratch.Path, "c")));
        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);

        var (code, _, stderr) = await ApplianceProcess.RunAsync(["backup", "verify", truncated, "--data-dir", appliance.DataDir]);
        Assert.Equal(1, code);
        Assert.Contains("damaged or truncated", stderr, StringComparison.Ordinal);
        Assert.Empty(await BackupDrill.VerifyAsync(archive));
    }

    [Fact]
    public async Task Restore_is_refused_while_the_appliance_runs_and_onto_a_stopped_one_brings_back_the_nodes()
    {
        var appliance = await ApplianceUnderTest.StartAsync(configure: o => o.Backup.Dir = "");
        string archive;
        string data;
        using var keep = new TempFolder();
        try
        {
            await JoinNodesAsync(appliance, 2);
            data = appliance.DataDir;
            archive = Path.Combine(keep.Path, "saved.tar");
            File.Copy(BackupWriter.Create(Sources(appliance), DateTimeOffset.UtcNow), archive);

            var refused = await ApplianceProcess.RunAsync(["backup", "restore", archive, "--data-dir", data]);
            Assert.Equal(75, refused.ExitCode);
            Assert.Contains("Stop the appliance first", refused.Stderr, StringComparison.Ordinal);
            Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(data)!, Path.GetFileName(data) + ".before-restore-*"));

            // A change after the backup, which the restore must roll back.
            Assert.True(appliance.Services.GetRequiredService<IdentityService>().CreateUser("after-backup").IsOk);
        }
        finally
        {
            await appliance.StopKeepingDataAsync();
        }

        var restored = await ApplianceProcess.RunAsync(["backup", "restore", archive, "--data-dir", data]);
        Assert.True(restored.ExitCode == 0, restored.Stderr);
        Assert.Contains("Restored 2 node(s)", restored.Stdout, StringComparison.Ordinal);
        var previous = Assert.Single(Directory.GetDirectories(Path.GetDirectoryName(data)!, Path.GetFileName(data) + ".before-restore-*"));
        Assert.True(File.Exists(Path.Combine(previous, "appliance.db")), "the previous database was not kept");

        await using var again = await ApplianceUnderTest.StartAsync(dataDir: data);
        var users = await again.Admin.GetStringAsync(new Uri("http://admin/api/v1/users"));
        Assert.Contains("alice", users, StringComparison.Ordinal);
        Assert.DoesNotContain("after-backup", users, StringComparison.Ordinal);
        var nodes = await again.Admin.GetStringAsync(new Uri("http://admin/api/v1/nodes"));
        Assert.Contains("backup-node-1", nodes, StringComparison.Ordinal);
        Directory.Delete(previous, recursive: true);
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task A_disk_too_full_for_the_backup_fails_clearly_and_leaves_the_earlier_archive_restorable()
    {
        using var disk = SmallFileSystem.Mount(megabytes: 8);
        await using var appliance = await ApplianceUnderTest.StartAsync();
        await JoinNodesAsync(appliance, 1);
        var sources = Sources(appliance, disk.Path);
        var first = BackupWriter.Create(sources, DateTimeOffset.UtcNow);
        disk.Fill();

        var error = Assert.Throws<BackupException>(() => BackupWriter.Create(sources, DateTimeOffset.UtcNow.AddSeconds(1)));
        Assert.Contains("not enough space", error.Message, StringComparison.Ordinal);
        Assert.Equal([first], BackupArchives.List(disk.Path));
        Assert.Empty(Directory.GetFiles(disk.Path, "*.partial"));
        Assert.Empty(await BackupDrill.VerifyAsync(first));
    }

    [Fact]
    public async Task Kill_9_during_a_backup_leaves_no_archive_under_an_archives_name_and_the_earlier_one_restorable()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync();
        await JoinNodesAsync(appliance, 1);
        var sources = Sources(appliance);
        var first = BackupWriter.Create(sources, DateTimeOffset.UtcNow);

        // A large file in the data folder keeps the archive being written long enough to be killed in the middle.
        var content = Path.Combine(appliance.DataDir, "updates", "content");
        Directory.CreateDirectory(content);
        await using (var big = File.Create(Path.Combine(content, "large.bin")))
        {
            big.SetLength(1L << 30);
        }

        using var backup = ApplianceProcess.Start(["backup", "create", "--data-dir", appliance.DataDir]);
        var deadline = DateTime.UtcNow + Wait;
        while (Directory.GetFiles(sources.BackupDir, "*.partial").Length == 0 && !backup.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        Assert.False(backup.HasExited, "the backup ended before it could be killed: " + backup.Stdout + backup.Stderr);
        backup.Signal("KILL");
        await backup.WaitForExitAsync(Wait);

        Assert.Equal([first], BackupArchives.List(sources.BackupDir));
        Assert.NotEmpty(Directory.GetFiles(sources.BackupDir, "*.partial"));
        Assert.Empty(await BackupDrill.VerifyAsync(first));

        File.Delete(Path.Combine(content, "large.bin"));
        var next = BackupWriter.Create(sources, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Empty(Directory.GetFiles(sources.BackupDir, "*.partial"));
        Assert.Equal([first, next], BackupArchives.List(sources.BackupDir));
    }

    private static BackupSources Sources(ApplianceUnderTest appliance, string? backupDir = null) =>
        new(new ApplianceOptions { Server = { DataDir = appliance.DataDir }, Policy = { File = File.Exists(Path.Combine(appliance.DataDir, "policy.hujson")) ? Path.Combine(appliance.DataDir, "policy.hujson") : "" } }, null, backupDir);

    private static async Task JoinNodesAsync(ApplianceUnderTest appliance, int count)
    {
        var key = appliance.CreatePreAuthKey();
        for (var i = 1; i <= count; i++)
        {
            var node = await appliance.ConnectNodeAsync($"backup-node-{i}");
            var registered = await node.RegisterAsync(key);
            Assert.True(registered.Status == HttpStatusCode.OK, registered.Text);
        }
    }
}
