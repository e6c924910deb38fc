using System.CommandLine;

namespace Appliance.Cli;

/// <summary>`appliance config check`: validates the configuration without starting anything.</summary>
public static class ConfigCommands
{
    public static Command Create()
    {
        var config = new Command("config", "Inspect the configuration.");
        CliContext.AddOptions(config);
        var check = new Command("check", "Check the configuration file and APPLIANCE_* variables; print every problem (exit 78 if any).");
        check.SetAction(parse =>
        {
            var result = CliConfig.Load(parse);
            if (!result.IsValid)
            {
                return CliConfig.ReportProblems(result, Console.Error);
            }

            Console.Out.WriteLine($"configuration OK ({result.SourceDescription})");
            return ExitCodes.Ok;
        });
        config.Subcommands.Add(check);
        return config;
    }
}
