using System.Diagnostics;
using Appliance.Hosting.Tests.Admin;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>
/// A verb root runs on the service's data folder gives the files it made back to the folder's owner, but never the
/// updates root or the releases: the unit's ExecStartPre runs updates/current/appliance as root, so a service user
/// who owned them could have root run a binary of its own. Needs root (chown); CI runs as root.
/// </summary>
[Trait("Category", "Root")]
public sealed class OwnershipRestorerTests
{
    private const string Nobody = "65534";

    [Fact]
    public async Task An_audited_verb_run_by_root_leaves_updates_and_releases_to_root()
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test needs root (chown); CI runs as root");
        using var folder = new AdminTestFolder().WithDatabase();
        var data = folder.DataDir;
        Directory.CreateDirectory(Path.Combine(data, "releases", "1.0.0"));
        await File.WriteAllTextAsync(Path.Combine(data, "releases", "1.0.0", "appliance"), "#!/bin/sh\n");
        Directory.CreateDirectory(Path.Combine(data, "updates"));
        File.CreateSymbolicLink(Path.Combine(data, "updates", "current"), "../releases/1.0.0");
        await File.WriteAllTextAsync(Path.Combine(data, "updates", "root.json"), "{}");
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

    private static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)}: {process.StandardError.ReadToEnd()}");
        return output;
    }
}
