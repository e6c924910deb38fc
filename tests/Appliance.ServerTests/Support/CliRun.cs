using System.CommandLine;
using Appliance.Cli;

namespace Appliance.ServerTests.Support;

/// <summary>What one CLI invocation printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error);

/// <summary>Runs the real `appliance` command tree in-process with its output captured (no global Console redirection).</summary>
internal static class CliRun
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var parse = ApplianceCli.Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            return new CliResult(ExitCodes.Usage, "", string.Join('\n', parse.Errors.Select(e => e.Message)));
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return new CliResult(code, output.ToString(), error.ToString());
    }
}
