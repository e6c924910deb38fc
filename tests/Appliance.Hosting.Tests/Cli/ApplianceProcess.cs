using System.Diagnostics;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>Runs the built `appliance` (dotnet appliance.dll) as a child process: through bash, optionally under `script` for a terminal.</summary>
public static class ApplianceProcess
{
    /// <summary>A folder with an `appliance` shim, to put first on PATH.</summary>
    public static string ShimFolder(string parent)
    {
        var bin = Path.Combine(parent, "bin");
        Directory.CreateDirectory(bin);
        var shim = Path.Combine(bin, "appliance");
        File.WriteAllText(shim, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "appliance.dll")}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return bin;
    }

    /// <summary>Runs <paramref name="script"/> with bash; <paramref name="input"/> is written to its stdin, which then closes.</summary>
    public static async Task<CliResult> BashAsync(string folder, string script, string input = "")
    {
        var start = new ProcessStartInfo("bash", ["-c", script])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.Environment["PATH"] = ShimFolder(folder) + ":" + Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        await process.StandardInput.FlushAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        if (input.Length > 0)
        {
            // `script` forwards stdin to the terminal; closing it early could end the session before the answer is read.
            await Task.WhenAny(process.WaitForExitAsync(timeout.Token), Task.Delay(TimeSpan.FromSeconds(60), timeout.Token));
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a command line on a pseudo-terminal (util-linux `script`), so stdin is a terminal; returns its exit code.</summary>
    public static Task<CliResult> OnTerminalAsync(string folder, string commandLine, string input) =>
        BashAsync(folder, $"script -qec \"{commandLine}\" /dev/null", input);
}
