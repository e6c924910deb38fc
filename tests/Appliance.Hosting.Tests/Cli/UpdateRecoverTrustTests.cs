using Appliance.Updates.Apply;
using static Appliance.Hosting.Tests.Cli.RootShell;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>
/// `update recover` (the unit's ExecStartPre, as root) with what a compromised service user could plant: `current`
/// re-pointed at a folder of its own and update.lock a link to a file outside. Root follows neither, points `current`
/// back at the release state.json records and logs each under its event (8031, 8034). Needs root; CI runs as root.
/// </summary>
[Trait("Category", "Root")]
public sealed class UpdateRecoverTrustTests
{
    [Fact]
    public async Task Recover_points_a_planted_current_back_at_the_recorded_release_and_replaces_a_lock_link_without_following_either()
    {
        using var folder = DataFolderAsRoot();
        var data = folder.DataDir;
        var release = await WriteReleaseAndUpdatesRootAsync(data);
        var updates = Path.Combine(data, "updates");
        var releases = Path.Combine(data, "releases");
        new UpdateJournal(new UpdatePaths(updates, releases)).SaveState(new UpdateStateDocument(1, "1.0.0", null, null, null, null));
        Run("chmod", "-R", "go-w", updates, releases);

        // The service user's own folder and file, outside root's trees.
        var planted = Path.Combine(folder.Path, "planted");
        Directory.CreateDirectory(planted);
        await File.WriteAllTextAsync(Path.Combine(planted, "appliance"), "#!/bin/sh\necho planted\n");
        var victim = Path.Combine(folder.Path, "victim");
        await File.WriteAllTextAsync(victim, "the service user's file");
        Run("chown", "-R", Nobody + ":" + Nobody, planted, victim);
        var victimWritten = File.GetLastWriteTimeUtc(victim);
        File.Delete(Path.Combine(updates, "current"));
        File.CreateSymbolicLink(Path.Combine(updates, "current"), planted);
        File.CreateSymbolicLink(Path.Combine(updates, "update.lock"), victim);

        var recovered = await CliRun.RunAsync("update", "recover", "--no-restart", "--data-dir", data);

        Assert.True(recovered.ExitCode == 0, recovered.Error);
        Assert.Equal("../releases/1.0.0", new FileInfo(Path.Combine(updates, "current")).LinkTarget);
        Assert.Contains($"[8031] {Path.Combine(updates, "current")}: current named {planted} instead of the recorded release 1.0.0; pointed back at 1.0.0", recovered.Error, StringComparison.Ordinal);
        Assert.Contains($"[8034] {Path.Combine(updates, "update.lock")} is a symbolic link: not followed", recovered.Error, StringComparison.Ordinal);
        Assert.Null(new FileInfo(Path.Combine(updates, "update.lock")).LinkTarget);
        Assert.Equal("0:0", Run("stat", "-c", "%u:%g", Path.Combine(updates, "update.lock")).Trim());

        // What the links named is exactly as the service user left it.
        Assert.Equal("the service user's file", await File.ReadAllTextAsync(victim));
        Assert.Equal(victimWritten, File.GetLastWriteTimeUtc(victim));
        Assert.Equal($"{Nobody}:{Nobody}", Run("stat", "-c", "%u:%g", victim).Trim());
        Assert.Equal($"{Nobody}:{Nobody}", Run("stat", "-c", "%u:%g", Path.Combine(planted, "appliance")).Trim());
        Assert.True(File.Exists(Path.Combine(release, "appliance")));

        // The next start finds nothing to report.
        var again = await CliRun.RunAsync("update", "recover", "--no-restart", "--data-dir", data);
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.DoesNotContain("[803", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_refuses_a_lock_link_with_a_clear_error_and_leaves_its_target_alone()
    {
        using var folder = DataFolderAsRoot();
        var data = folder.DataDir;
        await WriteReleaseAndUpdatesRootAsync(data);
        var victim = Path.Combine(folder.Path, "victim");
        await File.WriteAllTextAsync(victim, "untouched");
        File.CreateSymbolicLink(Path.Combine(data, "updates", "update.lock"), victim);

        var rolledBack = await CliRun.RunAsync("update", "rollback", "--data-dir", data);

        Assert.Equal(1, rolledBack.ExitCode);
        Assert.Contains($"refused: {Path.Combine(data, "updates", "update.lock")} is a symbolic link: not followed", rolledBack.Error, StringComparison.Ordinal);
        Assert.Contains("[8037]", rolledBack.Error, StringComparison.Ordinal);
        Assert.Equal("untouched", await File.ReadAllTextAsync(victim));
        Assert.Equal(victim, new FileInfo(Path.Combine(data, "updates", "update.lock")).LinkTarget);
    }
}
