using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Appliance.ServerTests.Systemd;

/// <summary>A booted Debian 12 under systemd-nspawn (tests/systemd/container.sh) and a way to run commands in it.</summary>
internal sealed class Container : IAsyncDisposable
{
    private readonly string _work;

    private Container(string work, int initPid)
    {
        _work = work;
        InitPid = initPid;
    }

    /// <summary>PID (on the host) of the container's systemd: the handle for nsenter and setns.</summary>
    public int InitPid { get; }

    public static string Script => Path.Combine(RepoPaths.RepoRoot, "tests", "systemd", "container.sh");

    public static async Task<Container> StartAsync(string work, string usbFolder)
    {
        var (code, stdout, stderr) = await HostAsync("bash", [Script, "start", work, usbFolder], TimeSpan.FromMinutes(10));
        if (code != 0)
        {
            throw new InvalidOperationException($"container.sh start exited {code}: {stderr}{stdout}");
        }

        return new Container(work, int.Parse(stdout.Trim().Split('\n')[^1], CultureInfo.InvariantCulture));
    }

    /// <summary>Runs a command inside (all namespaces of the container's init), with a clean environment.</summary>
    public Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] command) => RunAsync(TimeSpan.FromMinutes(3), command);

    public Task<(int Code, string Stdout, string Stderr)> RunAsync(TimeSpan timeout, params string[] command) =>
        HostAsync("nsenter", ["-t", InitPid.ToString(CultureInfo.InvariantCulture), "-a", "env", "-i",
            "PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "SYSTEMD_PAGER=", "LANG=C.UTF-8", .. command], timeout);

    /// <summary>Runs inside and fails the test with its output unless it exits 0.</summary>
    public async Task<string> MustAsync(params string[] command)
    {
        var (code, stdout, stderr) = await RunAsync(command);
        Assert.True(code == 0, $"'{string.Join(' ', command)}' exited {code}\nstdout: {stdout}\nstderr: {stderr}");
        return stdout;
    }

    public static async Task<(int Code, string Stdout, string Stderr)> HostAsync(string file, IEnumerable<string> arguments, TimeSpan timeout,
        IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{file} {string.Join(' ', start.ArgumentList)}' did not finish within {timeout}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        var (code, stdout, stderr) = await HostAsync("bash", [Script, "stop", _work], TimeSpan.FromMinutes(1));
        if (code != 0)
        {
            Console.Error.WriteLine(new StringBuilder("container.sh stop: ").Append(stdout).Append(stderr));
        }
    }
}
