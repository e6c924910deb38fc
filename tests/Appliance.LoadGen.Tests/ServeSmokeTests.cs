using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Appliance.LoadGen.Tests;

/// <summary>
/// CI's smoke run of the generator (issue 16): the built `appliance serve` as a child process on loopback, a user and
/// reusable key made with the CLI, then `appliance-loadgen` as its own process at N = 50 with --server-pid and
/// --json; every node must converge and see every change. No timing is asserted (figures go to docs/benchmarks.md).
/// </summary>
public sealed class ServeSmokeTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("loadgen-smoke-");

    [Fact]
    [Trait("Category", "LoadGen")]
    public async Task Fifty_nodes_against_a_real_serve_process_all_converge_and_see_every_change()
    {
        var data = Path.Combine(_temp.FullName, "data");
        var port = FreePort();
        using var serve = Start(Path.Combine(AppContext.BaseDirectory, "appliance.dll"), ["serve", "--data-dir", data, "--listen", $"127.0.0.1:{port}"]);
        var control = new Uri($"http://127.0.0.1:{port}");
        await WaitReadyAsync(control, serve.Process);

        await RunToEndAsync(Start(Path.Combine(AppContext.BaseDirectory, "appliance.dll"), ["users", "create", "load", "--data-dir", data]), 0);
        var created = await RunToEndAsync(Start(Path.Combine(AppContext.BaseDirectory, "appliance.dll"), ["preauthkeys", "create", "--user", "load", "--reusable", "--expiration", "1h", "-o", "json", "--data-dir", data]), 0);
        var key = JsonDocument.Parse(created).RootElement.GetProperty("key").GetString()!;

        var json = Path.Combine(_temp.FullName, "report.json");
        var summary = await RunToEndAsync(Start(Path.Combine(AppContext.BaseDirectory, "appliance-loadgen.dll"),
            ["--control", control.ToString(), "--key", key, "--nodes", "50", "--concurrency", "16", "--rounds", "5", "--joins", "3",
             "--server-pid", serve.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", json, "--settle", "1"]), 0);

        Assert.Contains("every node converged", summary, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
        var root = report.RootElement;
        Assert.Equal(50, root.GetProperty("registration").GetProperty("succeeded").GetInt32());
        Assert.True(root.GetProperty("convergence").GetProperty("converged").GetBoolean());
        Assert.Equal(0, root.GetProperty("endpointChange").GetProperty("missed").GetInt32());
        Assert.Equal(5 * 49, root.GetProperty("endpointChange").GetProperty("latencyMs").GetProperty("count").GetInt32());
        Assert.Equal(0, root.GetProperty("join").GetProperty("missed").GetInt32());
        Assert.True(root.GetProperty("server").GetProperty("cpuSecondsTotal").GetDouble() > 0);
        Assert.True(root.GetProperty("server").GetProperty("settled").GetProperty("rssBytes").GetInt64() > 10 << 20);
        Assert.True(root.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Bad_usage_exits_64_naming_every_problem_and_an_unreachable_server_exits_1()
    {
        using var bad = Start(Path.Combine(AppContext.BaseDirectory, "appliance-loadgen.dll"), ["--nodes", "x"]);
        await bad.Process.WaitForExitAsync();
        bad.Process.WaitForExit();
        Assert.Equal(64, bad.Process.ExitCode);
        var stderr = bad.Stderr.ToString();
        Assert.Contains("--control is required", stderr, StringComparison.Ordinal);
        Assert.Contains("--key is required", stderr, StringComparison.Ordinal);
        Assert.Contains("--nodes 'x'", stderr, StringComparison.Ordinal);

        using var nobody = Start(Path.Combine(AppContext.BaseDirectory, "appliance-loadgen.dll"), ["--control", $"http://127.0.0.1:{FreePort()}", "--key", "k", "--json", Path.Combine(_temp.FullName, "none.json")]);
        await nobody.Process.WaitForExitAsync();
        nobody.Process.WaitForExit();
        Assert.Equal(1, nobody.Process.ExitCode);
        Assert.Contains("HttpRequestException", nobody.Stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_temp.FullName, "none.json")));
    }

    public void Dispose() => _temp.Delete(recursive: true);

    private sealed record Child(Process Process, StringBuilder Stdout, StringBuilder Stderr) : IDisposable
    {
        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }

            Process.Dispose();
        }
    }

    /// <summary>`dotnet DLL args` with no inherited APPLIANCE_* or systemd variables; loopback ports only; no backups.</summary>
    private static Child Start(string dll, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var name in info.Environment.Keys.Where(n => n.StartsWith("APPLIANCE_", StringComparison.Ordinal) || n is "NOTIFY_SOCKET" or "LISTEN_FDS" or "LISTEN_PID").ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["APPLIANCE_HTTPS_LISTEN"] = "127.0.0.1:0";
        info.Environment["APPLIANCE_DERP_STUN_LISTEN"] = "127.0.0.1:0";
        info.Environment["APPLIANCE_METRICS_LISTEN"] = "127.0.0.1:0";
        info.Environment["APPLIANCE_BACKUP_INTERVAL"] = "0";
        info.Environment["APPLIANCE_BACKUP_VERIFY_INTERVAL"] = "0";
        info.Environment["APPLIANCE_LOG_FILE"] = "off";
        var child = new Child(new Process { StartInfo = info }, new StringBuilder(), new StringBuilder());
        child.Process.OutputDataReceived += (_, e) => { lock (child.Stdout) { child.Stdout.AppendLine(e.Data); } };
        child.Process.ErrorDataReceived += (_, e) => { lock (child.Stderr) { child.Stderr.AppendLine(e.Data); } };
        child.Process.Start();
        child.Process.BeginOutputReadLine();
        child.Process.BeginErrorReadLine();
        return child;
    }

    private static async Task<string> RunToEndAsync(Child child, int expectedExit)
    {
        using (child)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await child.Process.WaitForExitAsync(timeout.Token);
            child.Process.WaitForExit();
            string stdout, stderr;
            lock (child.Stdout)
            {
                stdout = child.Stdout.ToString();
            }

            lock (child.Stderr)
            {
                stderr = child.Stderr.ToString();
            }

            Assert.True(child.Process.ExitCode == expectedExit, $"exit {child.Process.ExitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}");
            return stdout;
        }
    }

    private static async Task WaitReadyAsync(Uri control, Process serve)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(serve.HasExited, "serve exited before it was ready");
            try
            {
                using var response = await http.GetAsync(new Uri(control, "/ready"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        Assert.Fail("serve was not ready within 90 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
