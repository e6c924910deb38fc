using Appliance.Hosting.Audit;
using Appliance.Hosting.Backup;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Identity;
using Appliance.Hosting.Systemd;
using Appliance.Hosting.Tests.Admin;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.Storage.Audit;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>
/// The actions docs/ops/audit.md lists beyond the admin verbs: CA operations, identity-file reloads and the backups
/// `serve` schedules itself. Each test performs the action and reads the record back from the log.
/// </summary>
public sealed class AuditRecordedActionsTests
{
    private static List<AuditRecord> Records(string dataDir) =>
        [.. AuditLogReader.Read(AuditLogFiles.FolderOf(dataDir)).Select(r => r.Record)];

    [Fact]
    public async Task Ca_init_rotate_export_and_revoke_are_recorded_with_the_os_user_and_a_refused_revoke_too()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        var local = "local:" + Environment.UserName;
        Assert.Equal(0, (await CliRun.RunAsync("ca", "init", "--data-dir", folder.DataDir)).ExitCode);
        Assert.Equal(0, (await CliRun.RunAsync("ca", "rotate", "--data-dir", folder.DataDir)).ExitCode);
        var exported = Path.Combine(folder.Path, "root.pem");
        Assert.Equal(0, (await CliRun.RunAsync("ca", "export", "--out", exported, "--data-dir", folder.DataDir)).ExitCode);
        Assert.NotEqual(0, (await CliRun.RunAsync("ca", "revoke", "abc", "--force", "--data-dir", folder.DataDir)).ExitCode);

        var records = Records(folder.DataDir);
        Assert.Equal(["ca.init", "ca.rotate", "ca.export", "ca.revoke"], records.Select(r => r.Action));
        Assert.All(records, r => Assert.Equal(local, r.Actor));
        Assert.Equal(("intermediate", "ok"), (records[1].Target, records[1].Result));
        Assert.Equal("pem to " + exported, records[2].Target);
        Assert.Equal("serial abc", records[3].Target);
        Assert.StartsWith("failed (InvalidRequest): ", records[3].Result, StringComparison.Ordinal);
        Assert.Equal(0, (await CliRun.RunAsync("audit", "verify", "--data-dir", folder.DataDir)).ExitCode);
    }

    [Fact]
    public void Identity_file_reloads_are_recorded_accepted_and_refused_with_what_changed()
    {
        using var folder = new AdminTestFolder();
        using var directory = DataDirectory.Open(folder.DataDir);
        using var database = ApplianceDatabase.Open(directory, TimeProvider.System);
        var identity = new IdentityService(database, TimeProvider.System);
        var path = Path.Combine(folder.Path, "identity.hujson");
        File.WriteAllText(path, """{ "people": [ { "login": "alice@site", "role": "admin" }, { "login": "bob@site" } ] }""");
        var audit = AuditTrail.ForDataDirectory(folder.DataDir, TimeProvider.System, anchors: null, 1 << 20, logger: null);
        using var service = new IdentityFileService(new IdentityOptions { File = path, Reload = false }, new DatabaseWriter(identity),
            new ReloadSignal(NullLogger<ReloadSignal>.Instance), TimeProvider.System, NullLogger<IdentityFileService>.Instance, audit);

        Assert.True(service.Reload("SIGHUP"));
        File.WriteAllText(path, """{ "people": [ { "login": "alice@site", "role": "emperor" } ] }""");
        Assert.False(service.Reload("file change"));
        File.WriteAllText(path, """{ "people": [ { "login": "alice@site", "role": "admin" } ] }""");
        Assert.True(service.Reload("file change"));

        var records = Records(folder.DataDir);
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal(("system", "identity.reload"), (r.Actor, r.Action)));
        Assert.Equal("SIGHUP: " + path, records[0].Target);
        Assert.Equal("ok: 2 people (2 created, 0 updated, 0 unchanged, 0 disabled)", records[0].Result);
        Assert.StartsWith("refused: ", records[1].Result, StringComparison.Ordinal);
        Assert.Contains("emperor", records[1].Result, StringComparison.Ordinal);
        Assert.Equal("file change: " + path, records[2].Target);
        Assert.Contains("1 disabled; login removed: bob@site", records[2].Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scheduled_backups_and_restore_drills_are_recorded_as_the_system_done_or_failed()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        Assert.Equal(0, (await CliRun.RunAsync("users", "create", "alice", "--data-dir", folder.DataDir)).ExitCode);
        var options = new ApplianceOptions();
        options.Server.DataDir = folder.DataDir;
        var audit = AuditTrail.ForDataDirectory(folder.DataDir, TimeProvider.System, anchors: null, 1 << 20, logger: null);
        var sources = new BackupSources(options, configFile: null);
        var scheduler = new BackupScheduler(sources, options.Backup, new BackupStatus(), TimeProvider.System,
            NullLogger<BackupScheduler>.Instance, audit);

        var archive = await scheduler.BackupOnceAsync();
        Assert.NotNull(archive);
        // A drill of an archive that is not one: refused by the reader, recorded as failed.
        var newest = Path.Combine(sources.BackupDir, BackupArchives.FileNameFor(DateTimeOffset.UtcNow.AddYears(1)));
        await File.WriteAllTextAsync(newest, "not an archive");
        Assert.Equal(newest, BackupArchives.Newest(sources.BackupDir));
        Assert.False(await scheduler.VerifyOnceAsync());

        var records = Records(folder.DataDir).Where(r => r.Actor == "system").ToList();
        Assert.Equal(2, records.Count);
        Assert.Equal(("backup.create", archive, "ok"), (records[0].Action, records[0].Target, records[0].Result));
        Assert.Equal(("backup.verify", newest), (records[1].Action, records[1].Target));
        Assert.StartsWith("failed: ", records[1].Result, StringComparison.Ordinal);
    }

    /// <summary>The state seam without a coordinator: people straight to the users table.</summary>
    private sealed class DatabaseWriter(IdentityService identity) : IIdentityStateWriter
    {
        public PeopleApplyResult ApplyPeople(IReadOnlyList<PersonEntry> people, bool expireNodesOfDisabled) => identity.ApplyPeople(people);

        public RegistrationApproval Register(string registrationId, string login) => throw new InvalidOperationException("not in this test");

        public bool Reject(string registrationId, string reason) => false;

        public PendingRegistration? FindPending(string registrationId) => null;
    }
}
