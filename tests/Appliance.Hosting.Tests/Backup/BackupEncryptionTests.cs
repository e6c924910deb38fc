using System.Security.Cryptography;
using System.Text;
using Appliance.Hosting.Backup;
using Appliance.Hosting.Backup.Encryption;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Tests.Admin;
using Appliance.Hosting.Tests.Cli;

namespace Appliance.Hosting.Tests.Backup;

/// <summary>
/// backup.encrypt_to (docs/ops/backups.md): archives are age files the appliance cannot read, `backup verify` checks
/// them without the key, `backup restore --identity` restores them, and a tampered one is refused with nothing changed.
/// </summary>
public sealed class BackupEncryptionTests
{
    private static SortedDictionary<string, string> Snapshot(string folder) =>
        new(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "appliance.lock")
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);

    private static async Task<(string Config, string Key, string Recipient)> EncryptedConfigAsync(AdminTestFolder folder)
    {
        var key = Path.Combine(folder.Path, "backup-key.txt");
        var keygen = await CliRun.RunAsync("backup", "keygen", "--out", key, "--data-dir", folder.DataDir);
        Assert.True(keygen.ExitCode == 0, keygen.Error);
        var recipient = keygen.Out.Trim();
        Assert.StartsWith("age1", recipient, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }

        Assert.NotEqual(0, (await CliRun.RunAsync("backup", "keygen", "--out", key, "--data-dir", folder.DataDir)).ExitCode);

        var config = Path.Combine(folder.Path, "appliance.yaml");
        await File.WriteAllTextAsync(config, $"server:\n  data_dir: \"{folder.DataDir}\"\nbackup:\n  encrypt_to: {recipient}\n");
        return (config, key, recipient);
    }

    [Fact]
    public async Task An_encrypted_backup_is_checked_without_the_key_and_restored_with_it()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        var (config, key, _) = await EncryptedConfigAsync(folder);
        Assert.Equal(0, (await CliRun.RunAsync("users", "create", "alice-secret-name", "-c", config)).ExitCode);

        var created = await CliRun.RunAsync("backup", "create", "-c", config);
        Assert.True(created.ExitCode == 0, created.Error);
        var archive = Assert.Single(BackupArchives.List(Path.Combine(folder.DataDir, "backups")));
        Assert.EndsWith(".tar.age", archive, StringComparison.Ordinal);
        Assert.True(AgeFile.IsAgeFile(archive));
        Assert.DoesNotContain("alice-secret-name", Encoding.Latin1.GetString(await File.ReadAllBytesAsync(archive)), StringComparison.Ordinal);

        var keyless = await CliRun.RunAsync("backup", "verify", "-c", config);
        Assert.True(keyless.ExitCode == 0, keyless.Error);
        Assert.Contains("checked without the key", keyless.Out, StringComparison.Ordinal);

        var drill = await CliRun.RunAsync("backup", "verify", archive, "--identity", key, "-c", config);
        Assert.True(drill.ExitCode == 0, drill.Error);
        Assert.Contains("Restore drill of", drill.Out, StringComparison.Ordinal);

        Assert.Equal(0, (await CliRun.RunAsync("users", "create", "bob", "-c", config)).ExitCode);
        var refused = await CliRun.RunAsync("backup", "restore", archive, "-c", config);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("pass --identity FILE", refused.Error, StringComparison.Ordinal);

        var restored = await CliRun.RunAsync("backup", "restore", archive, "--identity", key, "-c", config);
        Assert.True(restored.ExitCode == 0, restored.Error);
        var users = await CliRun.RunAsync("users", "list", "-o", "json", "-c", config);
        Assert.Contains("alice-secret-name", users.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("\"bob\"", users.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_encrypted_archive_is_refused_by_restore_and_the_data_folder_is_unchanged()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        var (config, key, recipient) = await EncryptedConfigAsync(folder);
        Assert.Equal(0, (await CliRun.RunAsync("users", "create", "alice", "-c", config)).ExitCode);
        var options = new ApplianceOptions();
        options.Server.DataDir = folder.DataDir;
        options.Backup.EncryptTo = recipient;
        var archive = BackupWriter.Create(new BackupSources(options, configFile: null), DateTimeOffset.UtcNow);

        // One byte in the middle of the payload: age authenticates every chunk, so restore stops before the swap.
        var bytes = await File.ReadAllBytesAsync(archive);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(archive, bytes);
        Assert.Equal(0, (await CliRun.RunAsync("users", "create", "bob", "-c", config)).ExitCode);
        var before = Snapshot(folder.DataDir);

        var restore = await CliRun.RunAsync("backup", "restore", archive, "--identity", key, "-c", config);

        Assert.Equal(1, restore.ExitCode);
        Assert.Contains("cannot be decrypted", restore.Error, StringComparison.Ordinal);
        Assert.Contains("does not authenticate", restore.Error, StringComparison.Ordinal);
        var after = Snapshot(folder.DataDir);
        // Only the audit log grew (the refused restore is recorded); everything else is byte for byte the same.
        Assert.Equal(before.Where(e => !e.Key.StartsWith("audit", StringComparison.Ordinal)), after.Where(e => !e.Key.StartsWith("audit", StringComparison.Ordinal)));
        Assert.Contains("\"bob\"", (await CliRun.RunAsync("users", "list", "-o", "json", "-c", config)).Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_with_an_encrypt_to_that_is_not_an_age_recipient_is_refused_by_name()
    {
        var options = new ApplianceOptions();
        options.Backup.EncryptTo = "age1notakey";
        var problems = ApplianceOptionsValidator.Validate(options);
        Assert.Contains(problems, p => p.Key == "backup.encrypt_to");
    }
}
