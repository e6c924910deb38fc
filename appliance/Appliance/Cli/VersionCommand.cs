using System.CommandLine;
using System.Reflection;

namespace Appliance.Cli;

/// <summary>`appliance version`: prints the version; runs without a config file or data folder.</summary>
public static class VersionCommand
{
    public static string Version =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "0.0.0";

    public static Command Create()
    {
        var command = new Command("version", "Print the appliance version.").WithOutputOption();
        command.SetAction(parse =>
        {
            CliOutput.Write(parse.InvocationConfiguration.Output, CliOutput.FormatOf(parse), new VersionDto(Version), CliJsonContext.Default.VersionDto, o => o.WriteLine($"appliance {Version}"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
