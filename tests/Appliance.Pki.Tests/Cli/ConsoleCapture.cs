namespace Appliance.Pki.Tests.Cli;

/// <summary>The CLI writes to the process console, so CLI tests run one at a time in this collection.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleTests
{
    public const string Name = "Console";
}

/// <summary>Redirects Console.Out and Console.Error for the duration of one CLI call.</summary>
public static class ConsoleCapture
{
    public static async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        var (oldOut, oldError) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var exit = await Appliance.Cli.ApplianceCli.RunAsync(args);
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }
}
