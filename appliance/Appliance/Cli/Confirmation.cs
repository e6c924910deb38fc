using System.CommandLine;

namespace Appliance.Cli;

/// <summary>
/// The question a destructive verb asks before it acts (as Headscale's `users destroy` / `nodes delete` do). It is
/// asked on stderr, so `-o json` output stays clean. `--force` skips it; without a terminal and without `--force`
/// the verb refuses (exit 2): a script must say `--force` to show it means it.
/// </summary>
public static class Confirmation
{
    public const string ForceOptionName = "--force";

    public static Option<bool> CreateForceOption(string? description = null) => new(ForceOptionName)
    {
        Description = description ?? "Do not ask for confirmation (required when stdin is not a terminal).",
    };

    /// <summary>Adds `--force` to a destructive verb.</summary>
    public static Command WithForceOption(this Command command, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(CreateForceOption(description));
        return command;
    }

    /// <summary>Null when the verb may go ahead; otherwise the exit code to return (nothing was changed).</summary>
    public static async Task<int?> AskAsync(ParseResult parse, string action, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(error);
        if (parse.GetValue<bool>(ForceOptionName))
        {
            return null;
        }

        var terminal = CliTerminal.Current;
        if (!terminal.IsInteractive)
        {
            await error.WriteLineAsync($"error: refusing to {action} without confirmation: stdin is not a terminal; pass --force to confirm").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        await error.WriteAsync($"{char.ToUpperInvariant(action[0])}{action[1..]}? [y/N] ").ConfigureAwait(false);
        await error.FlushAsync().ConfigureAwait(false);
        var answer = (await terminal.Input.ReadLineAsync().ConfigureAwait(false))?.Trim();
        if (answer is not null && (answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        await error.WriteLineAsync("aborted: nothing was changed").ConfigureAwait(false);
        return ExitCodes.NotConfirmed;
    }
}
