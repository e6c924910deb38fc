namespace Appliance.Cli;

/// <summary>
/// Where a confirmation question is answered: the process's stdin, and whether it is a terminal (a person can
/// answer). Tests set their own for the duration of one invocation.
/// </summary>
public sealed record CliTerminal(TextReader Input, bool IsInteractive)
{
    private static readonly AsyncLocal<CliTerminal?> Override = new();

    /// <summary>The terminal of this invocation: the test's, else the real stdin.</summary>
    public static CliTerminal Current => Override.Value ?? new CliTerminal(Console.In, !Console.IsInputRedirected);

    /// <summary>A non-interactive terminal with nothing to read, as under systemd or in a pipe.</summary>
    public static CliTerminal None { get; } = new(TextReader.Null, IsInteractive: false);

    public static IDisposable Use(CliTerminal? terminal)
    {
        var previous = Override.Value;
        Override.Value = terminal ?? previous;
        return new Restore(previous);
    }

    private sealed class Restore(CliTerminal? previous) : IDisposable
    {
        public void Dispose() => Override.Value = previous;
    }
}
