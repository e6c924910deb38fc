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
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ConfigCommands.Create());
        root.Subcommands.Add(UpdateCommands.Create());
        root.Subcommands.Add(UsersCommands.Create());
        root.Subcommands.Add(PreAuthKeysCommands.Create());
        root.Subcommands.Add(NodesCommands.Create());
        root.Subcommands.Add(AuthCommands.Create());
        root.Subcommands.Add(CaCommands.Create());
        root.Subcommands.Add(PolicyCommands.Create());
        root.Subcommands.Add(BackupCommands.Create());
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

        // The host handles SIGTERM/SIGINT itself (graceful stop within server.shutdown_timeout, exit 0), so the
        // parser must not install its own handlers that would end the process after a fixed 2 s.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
    }
}
