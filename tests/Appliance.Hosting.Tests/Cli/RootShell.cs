using Appliance.Hosting.Tests.Admin;
using Appliance.TestKit;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>The Root category's ownership tests: a real uid other than 0, and the host's chown/chmod/stat.</summary>
internal static class RootShell
{
    /// <summary>nobody: a real user other than root on every Debian machine.</summary>
    public const string Nobody = "65534";

    /// <summary>A data folder with its database, for a test that must run as root (it fails, never skips, without).</summary>
    public static AdminTestFolder DataFolderAsRoot()
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test needs root (chown); CI runs as root");
        return new AdminTestFolder().WithDatabase();
    }

    /// <summary>
    /// The updater's layout in <paramref name="data"/>: releases/1.0.0/appliance, updates/root.json and the updates/current
    /// link to the release. Returns the release folder.
    /// </summary>
    public static async Task<string> WriteReleaseAndUpdatesRootAsync(string data)
    {
        var release = Path.Combine(data, "releases", "1.0.0");
        Directory.CreateDirectory(release);
        await File.WriteAllTextAsync(Path.Combine(release, "appliance"), "#!/bin/sh\n");
        Directory.CreateDirectory(Path.Combine(data, "updates"));
        File.CreateSymbolicLink(Path.Combine(data, "updates", "current"), "../releases/1.0.0");
        await File.WriteAllTextAsync(Path.Combine(data, "updates", "root.json"), "{}");
        return release;
    }

    /// <summary>Runs a host command and returns its standard output; fails the test when it exits non-zero.</summary>
    public static string Run(string file, params string[] arguments) => HostCommand.Run(file, arguments);
}
