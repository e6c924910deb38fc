using static Appliance.Hosting.Tests.Cli.RootShell;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>
/// A verb root runs on the service's data folder gives the files it made back to the folder's owner, but never the
/// updates root or the releases: root's recovery trusts their record only when they are root's (decision 0112).
/// Needs root (chown); CI runs as root.
/// </summary>
[Trait("Category", "Root")]
public sealed class OwnershipRestorerTests
{
    [Fact]
    public async Task An_audited_verb_run_by_root_leaves_updates_and_releases_to_root()
    {
        using var folder = DataFolderAsRoot();
        var data = folder.DataDir;
        await WriteReleaseAndUpdatesRootAsync(data);
        Run("chown", Nobody + ":" + Nobody, data, Path.Combine(data, "appliance.db"));

        var created = await CliRun.RunAsync("users", "create", "alice", "--data-dir", data);
        Assert.True(created.ExitCode == 0, created.Error);

        // What the verb wrote (the audit log) is the service's; root's folders stay root's, their links included.
        Assert.Equal(Nobody, Run("stat", "-c", "%u", Path.Combine(data, "audit")).Trim());
        foreach (var path in new[] { "updates", "updates/current", "updates/root.json", "releases", "releases/1.0.0", "releases/1.0.0/appliance" })
        {
            Assert.Equal("0", Run("stat", "-c", "%u", Path.Combine(data, path)).Trim());
        }
    }
}
