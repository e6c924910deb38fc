using System.CommandLine;
using Appliance.Cli;
using Appliance.Updates.Tests.TestSupport;

namespace Appliance.Updates.Tests.Cli;

public class UpdateSettingsTests
{
    [Fact]
    public async Task Without_options_the_update_verbs_take_their_paths_and_timeout_from_the_configuration()
    {
        using var root = new TempUpdatesRoot();
        var dataDir = Path.Combine(root.Directory, "data");
        UpdateCommands.Settings? seen = null;
        var command = new RootCommand { UpdateCommands.Create(s => { seen = s; return root.Updater(); }) };
        CliContext.AddGlobalOptions(command);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await command.Parse(["update", "--data-dir", dataDir, "status"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        Assert.True(exit == 0, error.ToString());
        Assert.NotNull(seen);
        Assert.Equal(Path.Combine(dataDir, "updates"), seen.Root);
        Assert.Equal(Path.Combine(dataDir, "releases"), seen.ReleasesDir);
        Assert.Equal(TimeSpan.FromSeconds(120), seen.HealthTimeout);
        Assert.Equal(8080, seen.ReadyPort);
        Assert.Equal("appliance", seen.Unit);
    }

    [Fact]
    public async Task A_health_timeout_outside_its_range_is_refused()
    {
        using var root = new TempUpdatesRoot();
        var command = new RootCommand { UpdateCommands.Create(_ => root.Updater()) };
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await command.Parse(["update", "--updates-root", root.Paths.Root, "--ready-port", "1", "--health-timeout", "1", "status"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        Assert.Equal(ExitCodes.Config, exit);
        Assert.Contains("--health-timeout", error.ToString(), StringComparison.Ordinal);
    }
}
