using System.Diagnostics;

namespace Appliance.Cli;

/// <summary>Runs a system tool (systemctl, systemd-sysusers, ...) for the installer: output captured, failure is an exception naming the command.</summary>
internal static class SystemCommand
{
    public static string Run(string file, params string[] arguments)
    {
        var (code, stdout, stderr) = TryRun(file, arguments);
        if (code != 0)
        {
            throw new InstallException($"'{file} {string.Join(' ', arguments)}' exited {code}: {(stderr.Length > 0 ? stderr : stdout).Trim()}");
        }

        return stdout;
    }

    public static (int Code, string Stdout, string Stderr) TryRun(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start) ?? throw new InstallException($"could not start {file}");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout, stderr.GetAwaiter().GetResult());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InstallException($"{file} is not available ({e.Message}); the installer needs systemd");
        }
    }
}

/// <summary>An install or uninstall step failed; the message says which and why (exit 1).</summary>
public sealed class InstallException(string message) : Exception(message);
