using System.CommandLine;

namespace Appliance.BundleTool.Cli;

/// <summary>
/// The `appliance-bundle` command tree: keygen, create, sign, verify, inspect, root init|sign.
/// Exit codes: 0 success, 1 refused or failed, 2 usage error.
/// </summary>
public static class BundleToolCli
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    public static RootCommand Build(TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var root = new RootCommand("appliance-bundle: build and sign offline update bundles for the Appliance.");
        root.Subcommands.Add(KeygenCommand.Create());
        root.Subcommands.Add(CreateCommand.Create(time));
        root.Subcommands.Add(SignCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create(time));
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(RootCommands.Create());
        return root;
    }

    /// <summary>Entry point; tests pass writers and a time provider to capture output and fix the clock.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, TimeProvider? time = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var parse = Build(time).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run 'appliance-bundle --help' for usage.").ConfigureAwait(false);
            return Usage;
        }

        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(configuration).ConfigureAwait(false);
        }
        catch (ToolException e)
        {
            await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return Failure;
        }
        catch (IOException e)
        {
            await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return Failure;
        }
        catch (UnauthorizedAccessException e)
        {
            await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return Failure;
        }
    }
}
