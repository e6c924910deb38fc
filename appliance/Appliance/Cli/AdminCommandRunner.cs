using System.CommandLine;
using System.Text.Json.Serialization.Metadata;
using Appliance.Hosting.Admin;
using Appliance.State.Identity;
using Appliance.Storage.Database;
using Appliance.Storage.Files;

namespace Appliance.Cli;

/// <summary>
/// Runs one operator verb: resolves the data folder, opens an <see cref="AdminSession"/>, calls the API and prints
/// the result. Expected failures (unknown user, taken name, locked folder, refused database) print one clear line on
/// stderr and exit 1 (or the data-folder exit codes 65/73/75 that `serve` uses); usage errors were already handled by the parser (exit 2).
/// </summary>
public static class AdminCommandRunner
{
    public delegate Task<int> Verb(ParseResult parse, IAdminApi api, VerbOutput output, CancellationToken cancellationToken);

    /// <summary>Gives a command the -o option and an action that runs <paramref name="verb"/>.</summary>
    public static Command WithAdminAction(this Command command, Verb verb) => command.WithAdminAction(verb, serviceOnly: false);

    /// <summary>
    /// As <see cref="WithAdminAction(Command, Verb)"/>, for verbs on state only the running service holds (pending
    /// interactive registrations): when nothing answers on admin.sock they fail with a clear message instead of
    /// opening the database.
    /// </summary>
    public static Command WithServiceAction(this Command command, Verb verb) => command.WithAdminAction(verb, serviceOnly: true);

    private static Command WithAdminAction(this Command command, Verb verb, bool serviceOnly)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(CliOutput.CreateOption());
        command.SetAction((parse, cancellationToken) => RunAsync(parse, verb, serviceOnly, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, Verb verb, bool serviceOnly, CancellationToken cancellationToken)
    {
        var output = new VerbOutput(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, CliOutput.FormatOf(parse));
        var context = CliContext.From(parse);
        if (!context.Config.IsValid)
        {
            return CliConfig.ReportProblems(context.Config, output.Error);
        }

        if (serviceOnly && !await AdminClient.IsListeningAsync(context.AdminSocketPath, cancellationToken).ConfigureAwait(false))
        {
            await output.Error.WriteLineAsync(
                $"error: the service is not running (nothing answers on {context.AdminSocketPath}); "
                + AdminOperations.NeedsRunningService).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        try
        {
            using var session = await AdminSession.OpenAsync(context, cancellationToken).ConfigureAwait(false);
            return await verb(parse, session.Api, output, cancellationToken).ConfigureAwait(false);
        }
        catch (NoDataFolderException e)
        {
            await output.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.NoData;
        }
        catch (DataDirectoryException e)
        {
            await output.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return e.Problem == DataDirectoryProblem.InUse ? ExitCodes.InUse : ExitCodes.NotWritable;
        }
        catch (DatabaseRefusedException e)
        {
            await output.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.DataRefused;
        }
        catch (HttpRequestException e)
        {
            await output.Error.WriteLineAsync("error: the running service did not answer on its admin socket: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }
}

/// <summary>Where a verb prints, and in which format.</summary>
public sealed record VerbOutput(TextWriter Out, TextWriter Error, OutputFormat Format)
{
    /// <summary>Prints the value (or the error) and returns the exit code.</summary>
    public int Print<T>(OperationResult<T> result, JsonTypeInfo<T> typeInfo, Func<T, TextTable> table)
    {
        if (!result.IsOk)
        {
            Error.WriteLine("error: " + result.Error);
            return ExitCodes.Failure;
        }

        CliOutput.Write(Out, Format, result.Value!, typeInfo, table);
        return ExitCodes.Ok;
    }
}
