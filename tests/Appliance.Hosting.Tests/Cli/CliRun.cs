using System.CommandLine;
using Appliance.Cli;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>What one CLI invocation printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error);

/// <summary>
/// Runs the real command tree in-process through <see cref="ApplianceCli.RunAsync(string[], InvocationConfiguration, CliTerminal)"/>
/// (parse errors included) with its output captured and no terminal (no global Console redirection).
/// </summary>
public static class CliRun
{
    public static Task<CliResult> RunAsync(params string[] args) => RunWithAsync(CliTerminal.None, args);

    public static async Task<CliResult> RunWithAsync(CliTerminal terminal, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ApplianceCli.RunAsync(args, new InvocationConfiguration { Output = output, Error = error }, terminal);
        return new CliResult(code, output.ToString(), error.ToString());
    }
}
