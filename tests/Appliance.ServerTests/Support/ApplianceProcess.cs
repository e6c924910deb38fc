using System.Diagnostics;
using System.Text;

namespace Appliance.ServerTests.Support;

/// <summary>
/// Runs the built `appliance` as a child process (`dotnet appliance.dll ...` from this test's output folder, or a
/// published single file) with a controlled environment: no inherited APPLIANCE_* or systemd variables.
/// </summary>
internal sealed class ApplianceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ApplianceProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static string BuiltDll => Path.Combine(AppContext.BaseDirectory, "appliance.dll");

    /// <summary>Starts `dotnet appliance.dll args` with the given extra environment.</summary>
    public static ApplianceProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory };
        info.ArgumentList.Add(BuiltDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var name in info.Environment.Keys.Where(IsScrubbed).ToList())
        {
            info.Environment.Remove(name);
        }

        // Parallel tests must not fight over the default HTTPS port 8443.
        info.Environment["APPLIANCE_HTTPS_LISTEN"] = "127.0.0.1:0";
        info.Environment["APPLIANCE_DERP_STUN_LISTEN"] = "127.0.0.1:0"; // and over the default STUN port 3478
        info.Environment["APPLIANCE_METRICS_LISTEN"] = "127.0.0.1:0"; // and over the default metrics port 9464
        info.Environment["APPLIANCE_BACKUP_INTERVAL"] = "0"; // no backup and restore drill beside every short-lived serve
        info.Environment["APPLIANCE_BACKUP_VERIFY_INTERVAL"] = "0";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return Start(info);
    }

    public static ApplianceProcess Start(ProcessStartInfo info)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        return new ApplianceProcess(new Process { StartInfo = info });
    }

    /// <summary>Runs to completion and returns the exit code.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        using var process = Start(args, environment);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, process.Stdout, process.Stderr);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"appliance did not exit within {timeout}.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as systemd does on `systemctl stop`.</summary>
    public void Terminate() => Signal("TERM");

    public void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private static bool IsScrubbed(string name) =>
        name.StartsWith("APPLIANCE_", StringComparison.Ordinal)
        || name is "NOTIFY_SOCKET" or "INVOCATION_ID" or "JOURNAL_STREAM" or "LISTEN_PID" or "LISTEN_FDS" or "ASPNETCORE_URLS";

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }
}
