using Appliance.Hosting.Configuration;
using Appliance.Hosting.UpdateRequests;
using Appliance.TestKit;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>
/// The unit `appliance install` writes (installer/systemd/appliance.service, embedded in the binary) and the updater
/// agree: the service runs the `current` release, and before every start root's own copy of the release (never a
/// binary in the service user's data folder, decision 0112) runs `update recover` as root. Without the "+" it would run
/// sandboxed as the service user and could not repair the release folder.
/// </summary>
public sealed class InstalledUnitTests
{
    private const string Current = "/var/lib/appliance/updates/current/appliance";

    /// <summary>Root's copy (decision 0094): every component root's, nothing under the data folder.</summary>
    internal const string RootCopy = InstalledLayout.CommandLibrary + "/current/appliance";

    private static string[] Lines() =>
        File.ReadAllLines(Path.Combine(RepoPaths.RepoRoot, "installer", "systemd", "appliance.service"))
            .Where(l => !l.StartsWith('#'))
            .ToArray();

    [Fact]
    public void The_service_runs_the_current_release()
    {
        Assert.Contains($"ExecStart={Current} serve", Lines());
    }

    [Fact]
    public void Before_every_start_roots_own_copy_recovers_as_root_outside_the_sandbox()
    {
        var pre = Assert.Single(Lines(), l => l.StartsWith("ExecStartPre=", StringComparison.Ordinal));

        Assert.StartsWith("ExecStartPre=+", pre, StringComparison.Ordinal);
        Assert.Contains($"{RootCopy} update recover --no-restart", pre, StringComparison.Ordinal);
        Assert.DoesNotContain(InstalledLayout.DataDir, pre, StringComparison.Ordinal);
    }

    [Fact]
    public void The_service_caps_malloc_arenas_because_glibc_reads_the_limit_only_at_process_start()
    {
        // Decision 0113: 4-10 KiB less per connected node at 1,000 nodes. The published file cannot set it for itself.
        Assert.Single(Lines(), l => l.StartsWith("Environment=MALLOC_ARENA_MAX=", StringComparison.Ordinal));
        Assert.Contains("Environment=MALLOC_ARENA_MAX=2", Lines());
    }
}

/// <summary>
/// The admin console's importer (installer/systemd/appliance-update.path and .service, embedded like the unit): the
/// path unit watches the very file the console's <see cref="UpdateInbox"/> writes last, the oneshot
/// imports as root with the current release, and tmpfiles.d gives the inbox to the service user.
/// </summary>
public sealed class InstalledUpdateImporterTests
{
    private static string[] Lines(string folder, string file) =>
        File.ReadAllLines(Path.Combine(RepoPaths.RepoRoot, "installer", folder, file))
            .Where(l => !l.StartsWith('#'))
            .ToArray();

    [Fact]
    public void The_path_unit_watches_the_request_file_the_console_writes_last()
    {
        var inbox = UpdateInbox.ForDataDirectory(InstalledLayout.DataDir);
        Assert.Contains($"PathExists={inbox.RequestPath}", Lines("systemd", "appliance-update.path"));
        Assert.Contains("Unit=appliance-update.service", Lines("systemd", "appliance-update.path"));
        Assert.Equal("/etc/systemd/system/appliance-update.path", UpdateInbox.PathUnit);
        Assert.Contains($"d {inbox.Folder} 0700 appliance appliance -", Lines("tmpfiles.d", "appliance.conf"));
    }

    [Fact]
    public void The_importer_runs_once_as_root_with_roots_own_copy_and_time_for_the_health_check()
    {
        var service = Lines("systemd", "appliance-update.service");
        Assert.Contains("Type=oneshot", service);
        Assert.Contains($"ExecStart={InstalledUnitTests.RootCopy} update import --from-inbox", service);
        Assert.DoesNotContain(service, l => l.StartsWith("User=", StringComparison.Ordinal));
        Assert.Contains("TimeoutStartSec=2h", service);
    }
}
