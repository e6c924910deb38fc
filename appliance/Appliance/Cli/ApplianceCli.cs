using System.CommandLine;

namespace Appliance.Cli;

/// <summary>
/// The root of the `appliance` command tree. Each area adds its verbs in its own file in this folder
/// (`ServeCommand`, `UsersCommands`, `CaCommands`, `PolicyCommands`, `UpdateCommands`, ...) and is listed here once.
/// `-c/--config` and `--data-dir` are global (recursive on the root). Exit codes: <see cref="ExitCodes"/>.
/// </summary>
public static class ApplianceCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("The Appliance: an offline Tailscale-compatible coordination server.");
        CliContext.AddGlobalOptions(root);
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(HealthCommand.Create());
        root.Subcommands.Add(ConfigCommands.Create());
        root.Subcommands.Add(UpdateCommands.Create());
        root.Subcommands.Add(UsersCommands.Create());
        root.Subcommands.Add(PreAuthKeysCommands.Create());
        root.Subcommands.Add(NodesCommands.Create());
        root.Subcommands.Add(AuthCommands.Create());
        root.Subcommands.Add(CaCommands.Create());
        root.Subcommands.Add(PolicyCommands.Create());
        if (OperatingSystem.IsLinux())
        {
            root.Subcommands.Add(InstallCommands.CreateInstall());
            root.Subcommands.Add(InstallCommands.CreateUninstall());
        }

        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(CompletionCommand.Create());
        root.Subcommands.Add(CompletionCommand.CreateCompleteVerb());
        root.Subcommands.Add(BackupCommands.Create());
        root.Subcommands.Add(AuditCommands.Create());
        return root;
    }

    public static Task<int> RunAsync(string[] args) =>
        // The host handles SIGTERM/SIGINT itself (graceful stop within server.shutdown_timeout, exit 0), so the
        // parser must not install its own handlers that would end the process after a fixed 2 s.
        RunAsync(args, new InvocationConfiguration { ProcessTerminationTimeout = null }, terminal: null);

    /// <summary>Parses and runs one command line; tests pass their own writers and terminal.</summary>
    public static async Task<int> RunAsync(string[] args, InvocationConfiguration configuration, CliTerminal? terminal)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            return ParseErrors.Report(parse, configuration.Error);
        }

        using var scope = CliTerminal.Use(terminal);
        return await parse.InvokeAsync(configuration).ConfigureAwait(false);
    }
}
