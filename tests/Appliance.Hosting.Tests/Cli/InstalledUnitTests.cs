using Appliance.TestKit;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>
/// The unit `appliance install` writes (installer/systemd/appliance.service, embedded in the binary) and the updater
/// agree: the service runs the `current` release, and before every start the same binary runs `update recover` as
/// root. Without the "+" it would run sandboxed as the service user and could not repair the release folder.
/// </summary>
public sealed class InstalledUnitTests
{
    private const string Current = "/var/lib/appliance/updates/current/appliance";

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
    public void Before_every_start_the_current_release_recovers_as_root_outside_the_sandbox()
    {
        var pre = Assert.Single(Lines(), l => l.StartsWith("ExecStartPre=", StringComparison.Ordinal));

        Assert.StartsWith("ExecStartPre=+", pre, StringComparison.Ordinal);
        Assert.Contains($"{Current} update recover --no-restart", pre, StringComparison.Ordinal);
    }
}
