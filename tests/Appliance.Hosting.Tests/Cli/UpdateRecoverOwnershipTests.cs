using static Appliance.Hosting.Tests.Cli.RootShell;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>
/// `update recover` (the unit's ExecStartPre, as root) gives a service-owned updates/ and releases/ back to root:root
/// with a fresh install's modes, on sites installed before the service stopped being given them, and never follows a
/// link the service user planted there. Needs root (chown); CI runs as root.
/// </summary>
[Trait("Category", "Root")]
public sealed class UpdateRecoverOwnershipTests
{
    [Fact]
    public async Task Recover_gives_a_service_owned_updates_root_and_releases_back_to_root_without_following_links()
    {
        using var folder = DataFolderAsRoot();
        var data = folder.DataDir;
        var release = await WriteReleaseAndUpdatesRootAsync(data);
        var updates = Path.Combine(data, "updates");
        Directory.CreateDirectory(Path.Combine(release, "content"));
        await File.WriteAllTextAsync(Path.Combine(release, "manifest.json"), "{}");
        await File.WriteAllTextAsync(Path.Combine(release, "content", "policy.hujson"), "{}");

        // What the service user planted: links to a file and a folder of its own outside, which root must not touch.
        var outside = Path.Combine(folder.Path, "outside");
        Directory.CreateDirectory(Path.Combine(outside, "folder"));
        await File.WriteAllTextAsync(Path.Combine(outside, "file"), "not root's business");
        await File.WriteAllTextAsync(Path.Combine(outside, "folder", "inner"), "nor this");
        File.CreateSymbolicLink(Path.Combine(updates, "planted-file"), Path.Combine(outside, "file"));
        File.CreateSymbolicLink(Path.Combine(updates, "planted-folder"), Path.Combine(outside, "folder"));
        File.CreateSymbolicLink(Path.Combine(release, "content", "planted-relative"), "../../../../outside/file");

        // The site as an older release left it: everything the service's, and modes the service chose.
        Run("chown", "-R", "--no-dereference", Nobody + ":" + Nobody, data, outside);
        Run("chmod", "0777", updates, release);
        Run("chmod", "0700", Path.Combine(release, "appliance"));
        Run("chmod", "0666", Path.Combine(updates, "root.json"), Path.Combine(outside, "file"), Path.Combine(outside, "folder", "inner"));
        Run("chmod", "4755", Path.Combine(release, "manifest.json"));
        Run("chmod", "0777", Path.Combine(outside, "folder"));

        var recovered = await CliRun.RunAsync("update", "recover", "--no-restart", "--data-dir", data);

        Assert.True(recovered.ExitCode == 0, recovered.Error);
        Assert.Equal("0:0 755", Stat(updates));
        Assert.Equal("0:0 644", Stat(Path.Combine(updates, "root.json")));
        Assert.Equal("0:0 755", Stat(Path.Combine(data, "releases")));
        Assert.Equal("0:0 755", Stat(release));
        Assert.Equal("0:0 755", Stat(Path.Combine(release, "appliance")));
        Assert.Equal("0:0 755", Stat(Path.Combine(release, "manifest.json")));
        Assert.Equal("0:0 644", Stat(Path.Combine(release, "content", "policy.hujson")));
        foreach (var link in new[] { "updates/current", "updates/planted-file", "updates/planted-folder", "releases/1.0.0/content/planted-relative" })
        {
            // The link itself is root's now (lstat), ...
            Assert.Equal("0:0", Run("stat", "-c", "%u:%g", Path.Combine(data, link)).Trim());
        }

        // ... but what it points to is exactly as the service user left it.
        Assert.Equal($"{Nobody}:{Nobody} 666", Stat(Path.Combine(outside, "file")));
        Assert.Equal($"{Nobody}:{Nobody} 777", Stat(Path.Combine(outside, "folder")));
        Assert.Equal($"{Nobody}:{Nobody} 666", Stat(Path.Combine(outside, "folder", "inner")));

        // The rest of the data folder stays the service's, and each repair is logged with its event id.
        Assert.Equal(Nobody, Run("stat", "-c", "%u", Path.Combine(data, "appliance.db")).Trim());
        Assert.Contains("8021", recovered.Error, StringComparison.Ordinal);
        Assert.Contains($"{Path.Combine(release, "appliance")} belonged to {Nobody}:{Nobody} with mode 0700; given back to root:root with mode 0755", recovered.Error, StringComparison.Ordinal);

        // A second start finds nothing left to change.
        var again = await CliRun.RunAsync("update", "recover", "--no-restart", "--data-dir", data);
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.DoesNotContain("8021", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_releases_folder_replaced_by_a_link_is_not_followed_and_the_start_goes_on()
    {
        using var folder = DataFolderAsRoot();
        var data = folder.DataDir;
        var elsewhere = Path.Combine(folder.Path, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        await File.WriteAllTextAsync(Path.Combine(elsewhere, "appliance"), "#!/bin/sh\n");
        File.CreateSymbolicLink(Path.Combine(data, "releases"), elsewhere);
        Directory.CreateDirectory(Path.Combine(data, "updates"));
        Run("chown", "-R", "--no-dereference", Nobody + ":" + Nobody, data, elsewhere);
        Run("chmod", "0700", Path.Combine(elsewhere, "appliance"));

        var recovered = await CliRun.RunAsync("update", "recover", "--no-restart", "--data-dir", data);

        Assert.True(recovered.ExitCode == 0, recovered.Error);
        Assert.Contains("8022", recovered.Error, StringComparison.Ordinal);
        Assert.Contains($"{Path.Combine(data, "releases")} is a symbolic link", recovered.Error, StringComparison.Ordinal);
        Assert.Equal($"{Nobody}:{Nobody} 700", Stat(Path.Combine(elsewhere, "appliance")));
        Assert.Equal($"{Nobody}:{Nobody}", Run("stat", "-c", "%u:%g", elsewhere).Trim());
        Assert.Equal("0:0 755", Stat(Path.Combine(data, "updates")));
    }

    private static string Stat(string path) => Run("stat", "-c", "%u:%g %a", path).Trim();
}
