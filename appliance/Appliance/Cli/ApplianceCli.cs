using System.CommandLine;

namespace Appliance.Cli;

/// <summary>
/// The root of the `appliance` command tree. Each area adds its verbs in its own file in this folder
/// (`ServeCommand`, `UsersCommands`, `CaCommands`, `PolicyCommands`, `UpdateCommands`, ...) and is listed here once.
/// Exit codes: 0 success, 1 failure, 2 usage error, 78 invalid configuration (sysexits EX_CONFIG).
/// </summary>
public static class ApplianceCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("The Appliance: an offline Tailscale-compatible coordination server.");
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(CaCommands.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message).ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync("Run 'appliance --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync().ConfigureAwait(false);
    }
}
