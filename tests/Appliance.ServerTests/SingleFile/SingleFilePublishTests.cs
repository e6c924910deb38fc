using System.Diagnostics;
using Appliance.ServerTests.Support;
using Appliance.TestKit;

namespace Appliance.ServerTests.SingleFile;

/// <summary>
/// The shipped artefact: `dotnet publish -r linux-x64` must give one self-contained file that runs on a host with
/// no .NET (clean environment: no DOTNET_ROOT, PATH without dotnet), prints its version and serves /health.
/// Publishes fresh into a temporary folder so it always tests the current sources.
/// </summary>
[Trait("Category", "Slow")]
[Collection(Support.SingleFilePublishers.Name)]
public sealed class SingleFilePublishTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public async Task The_published_single_file_runs_without_dotnet_and_serves_health()
    {
        var output = _temp.Combine("publish");
        var publish = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "publish", Path.Combine(RepoPaths.RepoRoot, "appliance", "Appliance", "Appliance.csproj"), "-c", "Release", "-r", "linux-x64", "-o", output },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = publish.StandardOutput.ReadToEndAsync();
        var errors = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        Assert.True(publish.ExitCode == 0, await log + await errors);

        var exe = Path.Combine(output, "appliance");
        Assert.Equal(["appliance"], Directory.GetFiles(output).Select(Path.GetFileName));

        var emptyPath = Directory.CreateDirectory(_temp.Combine("bin")).FullName;
        var home = Directory.CreateDirectory(_temp.Combine("home")).FullName;
        var version = Clean(exe, home, emptyPath, "version");
        using (var process = ApplianceProcess.Start(version))
        {
            Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Matches(@"^appliance \d+\.\d+\.\d+", process.Stdout);
        }

        var port = FreePort.Next();
        var serve = Clean(exe, home, emptyPath, "serve", "--data-dir", _temp.Combine("data"), "--listen", $"127.0.0.1:{port}");
        serve.Environment["APPLIANCE_HTTPS_LISTEN"] = "127.0.0.1:0";
        serve.Environment["APPLIANCE_DERP_STUN_LISTEN"] = "127.0.0.1:0";
        serve.Environment["APPLIANCE_METRICS_LISTEN"] = "127.0.0.1:0";
        using var server = ApplianceProcess.Start(serve);
        Assert.Equal("ok", await Http.WaitForHealthAsync(new Uri($"http://127.0.0.1:{port}"), server, TimeSpan.FromSeconds(60)));
        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Like `env -i`: only PATH (an empty folder, so no dotnet) and HOME.</summary>
    private static ProcessStartInfo Clean(string exe, string home, string path, params string[] args)
    {
        var info = new ProcessStartInfo(exe) { WorkingDirectory = Path.GetDirectoryName(exe)! };
        info.Environment.Clear();
        info.Environment["PATH"] = path;
        info.Environment["HOME"] = home;
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    public void Dispose() => _temp.Dispose();
}
