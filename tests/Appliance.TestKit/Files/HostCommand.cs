using System.Diagnostics;

namespace Appliance.TestKit;

/// <summary>
/// Runs a host command (stat, chown, setpriv, ...) for the Root-category tests that check what the file system holds
/// after root's work, and returns its standard output. A command that exits non-zero fails the test with its error
/// output, so a missing tool or a refused call is never read as an empty answer.
/// </summary>
public static class HostCommand
{
    public static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"{file} could not be started");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {error.Result}");
        }

        return output;
    }
}
