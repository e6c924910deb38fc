using System.Diagnostics;
using Appliance.Cli;
using Appliance.Hosting.Tests.Admin;
using Appliance.Storage.Files;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>
/// The start-up window (issue 13): a starting service holds the data-folder lock before admin.sock answers. A verb
/// run then waits for the socket (up to <see cref="AdminSession.StartupWait"/>) instead of failing at once with 75
/// ("in use"); when nothing ever answers it fails with 75 and the documented message.
/// </summary>
public sealed class AdminSocketStartupTests
{
    [Fact]
    public async Task A_verb_run_while_the_service_starts_waits_for_admin_sock_and_then_goes_through_the_service()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        var starting = DataDirectory.Open(folder.DataDir); // the service has taken the lock, no socket yet
        var clock = Stopwatch.StartNew();

        var verb = CliRun.RunAsync("users", "create", "alice", "--data-dir", folder.DataDir, "-o", "json");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(verb.IsCompleted, "the verb must wait for the starting service, not fail with 75 or open the locked database");

        await using var server = await AdminTestServer.StartAsync(starting); // admin.sock appears
        var result = await verb.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == ExitCodes.Ok, result.Error);
        Assert.Contains("\"name\": \"alice\"", result.Out, StringComparison.Ordinal);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2));
        // The lock was never free (the "service" held it from the start), so only the service can have made the user.
        Assert.Contains(new Storage.Stores.UserStore(server.Database).List(), u => u.Name == "alice");
    }

    [Fact]
    public async Task A_verb_gives_up_after_the_start_up_wait_with_exit_75_when_no_socket_appears()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        using var stuck = DataDirectory.Open(folder.DataDir); // holds the lock and never answers
        var clock = Stopwatch.StartNew();

        var result = await CliRun.RunAsync("users", "list", "--data-dir", folder.DataDir);

        Assert.Equal(ExitCodes.InUse, result.ExitCode);
        Assert.Contains("in use by another appliance process", result.Error, StringComparison.Ordinal);
        Assert.True(clock.Elapsed >= AdminSession.StartupWait, $"gave up after {clock.Elapsed}, before the documented wait");
        Assert.Empty(result.Out);
    }
}
