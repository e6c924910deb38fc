using Appliance.Hosting.Configuration;
using Appliance.Hosting.Policy;
using Appliance.Hosting.Systemd;
using Appliance.Hosting.Tests.Admin;
using Appliance.State.Coordinator;
using Appliance.State.Policy;
using Appliance.State.Identity;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using PolicyStore = Appliance.Storage.Stores.PolicyStore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Hosting.Tests.Policy;

/// <summary>
/// Where the live policy comes from and how it is reloaded: policy.file, the database, the updates content link,
/// SIGHUP and the file watcher; broken texts never replace the live policy.
/// </summary>
public sealed class PolicyServiceTests : IDisposable
{
    private const string AllowWeb = """
        {
          "hosts": { "web": "100.64.0.10" },
          "acls": [ { "action": "accept", "src": ["*"], "dst": ["web:443"] } ],
        }
        """;

    private const string AllowSsh = """
        {
          "hosts": { "web": "100.64.0.10" },
          "acls": [ { "action": "accept", "src": ["*"], "dst": ["web:22"] } ],
        }
        """;

    private const string Broken = """
        {
          "acls": [ { "action": "accept", "src": ["group:nobody"], "dst": ["*:*"] } ],
        }
        """;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly AdminTestFolder _folder = new();
    private readonly DataDirectory _directory;
    private readonly ApplianceDatabase _database;
    private readonly ControlCoordinator _coordinator;
    private readonly ReloadSignal _signal = new(NullLogger<ReloadSignal>.Instance);

    public PolicyServiceTests()
    {
        _directory = DataDirectory.Open(_folder.DataDir);
        _database = ApplianceDatabase.Open(_directory, TimeProvider.System);
        _coordinator = new ControlCoordinator(
            new CoordinatorOptions { CoalesceWindow = TimeSpan.Zero },
            new InMemoryNodeRepository(),
            new SqliteUserDirectory(_database),
            new NoKeys(),
            StaticDerpMapProvider.Empty,
            new AllowAllPacketFilter(),
            TimeProvider.System);
        _coordinator.Start();
        Store = new PolicyStore(_database);
    }

    private PolicyStore Store { get; }

    private string PolicyFile => Path.Combine(_folder.Path, "policy.hujson");

    private string? LiveText => _coordinator.Snapshot.Policy.Source?.Text;

    private PolicyService Service(bool fromFile, bool reload = false) => new(
        _coordinator,
        new PolicyVersions(_database, _coordinator, TimeProvider.System),
        new PolicyOptions { File = fromFile ? PolicyFile : "", Reload = reload },
        new AppliancePaths(_folder.DataDir, null, Path.Combine(_folder.DataDir, "admin.sock"), Path.Combine(_folder.DataDir, "releases")),
        _signal,
        TimeProvider.System,
        NullLogger<PolicyService>.Instance)
    {
        Debounce = TimeSpan.FromMilliseconds(50),
        Audit = new Appliance.Hosting.Audit.AuditTrail(new Appliance.Storage.Audit.AuditLogWriter(AuditFolder, TimeProvider.System, null)),
    };

    private string AuditFolder => Appliance.Storage.Audit.AuditLogFiles.FolderOf(_folder.DataDir);

    [Fact]
    public async Task Each_reload_that_changes_or_refuses_the_policy_and_every_sighup_is_in_the_audit_log()
    {
        await File.WriteAllTextAsync(PolicyFile, AllowWeb);
        using var service = Service(fromFile: true);
        await service.StartAsync(CancellationToken.None);
        await File.WriteAllTextAsync(PolicyFile, Broken);
        service.Reload("SIGHUP");
        await File.WriteAllTextAsync(PolicyFile, AllowWeb);
        service.Reload("file change");
        service.Reload("SIGHUP");
        await service.StopAsync(CancellationToken.None);

        var records = Appliance.Storage.Audit.AuditLogReader.Read(AuditFolder).Select(r => r.Record).ToList();
        Assert.All(records, r => Assert.Equal(("system", "policy.reload"), (r.Actor, r.Action)));
        Assert.Equal(
            [("start: " + PolicyFile, "ok: applied"), ("SIGHUP: " + PolicyFile, "refused (rejected)"), ("SIGHUP: " + PolicyFile, "ok: unchanged")],
            records.Select(r => (r.Target, r.Result.Split(':')[0] == "refused (rejected)" ? "refused (rejected)" : r.Result)).ToList());
        Assert.True(Appliance.Storage.Audit.AuditVerifier.Verify(AuditFolder, []).Intact);
    }

    [Fact]
    public async Task The_file_policy_is_applied_and_recorded_once_and_a_broken_edit_keeps_it()
    {
        await File.WriteAllTextAsync(PolicyFile, AllowWeb);
        using var service = Service(fromFile: true);
        await service.StartAsync(CancellationToken.None);
        Assert.Equal(AllowWeb, LiveText);
        var live = _coordinator.Snapshot.Policy;
        var version = Assert.Single(Store.List());
        Assert.Equal("file:" + PolicyFile, version.Source);

        await File.WriteAllTextAsync(PolicyFile, Broken);
        var rejected = service.Reload();
        Assert.Equal(PolicyReloadStatus.Rejected, rejected.Status);
        Assert.StartsWith("2:", rejected.Errors, StringComparison.Ordinal);
        Assert.Contains("group:nobody", rejected.Errors, StringComparison.Ordinal);
        Assert.Same(live, _coordinator.Snapshot.Policy);
        Assert.Single(Store.List());

        await File.WriteAllTextAsync(PolicyFile, AllowWeb);
        Assert.Equal(PolicyReloadStatus.Unchanged, service.Reload().Status);
        Assert.Single(Store.List());
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Sighup_reloads_the_file()
    {
        await File.WriteAllTextAsync(PolicyFile, AllowWeb);
        using var service = Service(fromFile: true, reload: false);
        await service.StartAsync(CancellationToken.None);

        await File.WriteAllTextAsync(PolicyFile, AllowSsh);
        _signal.Request();

        Assert.True(await Poll(() => LiveText == AllowSsh), "SIGHUP did not reload the policy");
        Assert.Equal(2, Store.List().Count);
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task With_reload_on_an_edited_file_is_applied_without_a_signal()
    {
        await File.WriteAllTextAsync(PolicyFile, AllowWeb);
        using var service = Service(fromFile: true, reload: true);
        await service.StartAsync(CancellationToken.None);

        await File.WriteAllTextAsync(PolicyFile, AllowSsh);

        Assert.True(await Poll(() => LiveText == AllowSsh), "the watcher did not reload the policy");
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Admin_set_stores_and_applies_refuses_broken_texts_and_is_refused_while_a_file_is_configured()
    {
        using var service = Service(fromFile: false);
        await service.StartAsync(CancellationToken.None);
        Assert.False(_coordinator.Snapshot.Policy.IsActive);
        Assert.Equal(OperationStatus.NotFound, service.Current().Status);

        var set = service.Replace(AllowWeb, "admin:test");
        Assert.True(set.IsOk);
        Assert.Equal(AllowWeb, LiveText);
        Assert.Equal(set.Value!.Version, Store.Latest()!.Id);
        Assert.Equal(set.Value.Version, service.Replace(AllowWeb, "admin:again").Value!.Version);
        Assert.Single(Store.List());

        var bad = service.Replace(Broken, "admin:test");
        Assert.Equal(OperationStatus.Invalid, bad.Status);
        Assert.StartsWith("2:", bad.Error, StringComparison.Ordinal);
        Assert.Equal(AllowWeb, LiveText);

        await File.WriteAllTextAsync(PolicyFile, AllowWeb);
        using var fileService = Service(fromFile: true);
        Assert.Equal(OperationStatus.Conflict, fileService.Replace(AllowSsh, "admin:test").Status);
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_content_bundle_policy_is_imported_once_and_a_later_set_wins()
    {
        Store.Append(AllowWeb, "cli:old", DateTimeOffset.UtcNow);
        var content = Path.Combine(_folder.DataDir, "updates", "content");
        Directory.CreateDirectory(content);
        await File.WriteAllTextAsync(Path.Combine(content, "policy.hujson"), AllowSsh);

        using var service = Service(fromFile: false);
        await service.StartAsync(CancellationToken.None);
        Assert.Equal(AllowSsh, LiveText);
        Assert.StartsWith("content:", Store.Latest()!.Source, StringComparison.Ordinal);

        Assert.True(service.Replace(AllowWeb, "admin:test").IsOk);
        Assert.Equal(PolicyReloadStatus.Unchanged, service.Reload().Status);
        Assert.Equal(AllowWeb, LiveText);
        Assert.Equal(3, Store.List().Count);
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_broken_file_at_start_falls_back_to_the_newest_stored_version_else_denies_all()
    {
        Store.Append(AllowWeb, "cli:old", DateTimeOffset.UtcNow);
        await File.WriteAllTextAsync(PolicyFile, Broken);
        using (var service = Service(fromFile: true))
        {
            await service.StartAsync(CancellationToken.None);
            Assert.Equal(AllowWeb, LiveText);
            await service.StopAsync(CancellationToken.None);
        }

        using var empty = new AdminTestFolder();
        using var directory = DataDirectory.Open(empty.DataDir);
        using var database = ApplianceDatabase.Open(directory, TimeProvider.System);
        using var coordinator = new ControlCoordinator(
            new CoordinatorOptions { CoalesceWindow = TimeSpan.Zero }, new InMemoryNodeRepository(), new SqliteUserDirectory(database),
            new NoKeys(), StaticDerpMapProvider.Empty, new AllowAllPacketFilter(), TimeProvider.System);
        coordinator.Start();
        using var failing = new PolicyService(
            coordinator, new PolicyVersions(database, coordinator, TimeProvider.System), new PolicyOptions { File = PolicyFile, Reload = false },
            new AppliancePaths(empty.DataDir, null, Path.Combine(empty.DataDir, "admin.sock"), empty.DataDir), _signal, TimeProvider.System,
            NullLogger<PolicyService>.Instance);
        await failing.StartAsync(CancellationToken.None);
        Assert.True(coordinator.Snapshot.Policy.IsActive);
        Assert.Equal(PolicyService.FailClosedText, coordinator.Snapshot.Policy.Source!.Text);
    }

    public void Dispose()
    {
        _coordinator.Dispose();
        _database.Dispose();
        _directory.Dispose();
        _folder.Dispose();
    }

    private static async Task<bool> Poll(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }

    private sealed class NoKeys : IPreAuthKeyAuthority
    {
        public PreAuthKeyUse Check(string presentedKey, DateTimeOffset now) => new(PreAuthKeyCheck.NotFound, null);

        public ClaimedWrite<T> WriteClaiming<T>(PreAuthKey key, DateTimeOffset now, Func<WriteResult<T>> write)
            where T : class => ClaimedWrite.Refused<T>(PreAuthKeyCheck.NotFound);
    }
}
