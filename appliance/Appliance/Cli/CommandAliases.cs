using System.CommandLine;

namespace Appliance.Cli;

/// <summary>Short names for verbs, as Headscale spells them (cmd/headscale/cli: `ls`, `rm`, `mv`, `destroy`, `logout`...).</summary>
public static class CommandAliases
{
    public static Command WithAliases(this Command command, params string[] aliases)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(aliases);
        foreach (var alias in aliases)
        {
            command.Aliases.Add(alias);
        }

        return command;
    }
}
