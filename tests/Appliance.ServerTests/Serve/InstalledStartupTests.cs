using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Appliance.ServerTests.Support;

namespace Appliance.ServerTests.Serve;

/// <summary>
/// Issue 13's start-up defects as operators and systemd meet them: a verb run in the wrong folder, a taken port, a
/// NUL in a path, and a service user with no home (DynamicUser without a passwd entry).
/// </summary>
public sealed class InstalledStartupTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_verb_in_a_folder_without_an_appliance_exits_66_naming_it_and_creates_nothing()
    {
        var folder = _temp.Combine("not-here");

        var (code, stdout, stderr) = await ApplianceProcess.RunAsync(["users", "list", "--data-dir", folder]);

        Assert.Equal(66, code);
        Assert.Contains(folder, stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(folder), "a verb other than serve/install/restore must not create a data folder");
    }

    [Fact]
    public async Task Serve_on_a_taken_port_exits_1_with_one_line_and_writes_nothing_into_a_fresh_data_folder()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var data = _temp.Combine("fresh");

        using var process = ApplianceProcess.Start(["serve", "--data-dir", data, "--listen", $"127.0.0.1:{port}"]);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, code);
        var output = process.Stdout + process.Stderr;
        Assert.Contains($"cannot listen on 127.0.0.1:{port} (server.listen): the address is already in use", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(data), "no CA, Noise or DERP key may be written for a start that cannot bind");
    }

    [Fact]
    public async Task Serve_waits_for_a_short_cli_lock_on_the_data_folder_instead_of_exiting_75()
    {
        var data = _temp.Combine("locked");
        var port = FreePort.Next();
        var cliLock = Appliance.Storage.Files.DataDirectory.Open(data); // what a CLI verb in direct mode holds
        using var process = ApplianceProcess.Start(["serve", "--data-dir", data, "--listen", $"127.0.0.1:{port}"]);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(process.HasExited, process.Stdout + process.Stderr);
        cliLock.Dispose();

        var health = await Http.WaitForHealthAsync(new Uri($"http://127.0.0.1:{port}"), process, TimeSpan.FromSeconds(60));
        process.Terminate();
        await process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(health == "ok", process.Stdout + process.Stderr);
    }

    [Fact]
    public async Task A_nul_in_the_data_folder_path_is_a_configuration_error_78()
    {
        var config = _temp.Combine("nul.yaml");
        await File.WriteAllTextAsync(config, "server:\n  data_dir: \"/tmp/a\\0b\"\n");

        var (code, _, stderr) = await ApplianceProcess.RunAsync(["serve", "--config", config]);

        Assert.Equal(78, code);
        Assert.Contains("server.data_dir", stderr, StringComparison.Ordinal);
        Assert.Contains("NUL", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_starts_for_a_user_with_no_home_and_no_passwd_entry()
    {
        // systemd's DynamicUser without nss-systemd: getpwuid fails and HOME is unset. TLS chain building then asked
        // for the per-user X509 store and the service died ("home directory ... could not be determined").
        Assert.True(Environment.UserName == "root", "this test switches to a uid without a passwd entry; run the suite as root (CI does)");
        var data = _temp.Combine("nohome");
        Directory.CreateDirectory(data);
        File.SetUnixFileMode(_temp.Path, (UnixFileMode)0b111_101_101);
        var setup = Process.Start("chown", ["54321:54321", data])!;
        await setup.WaitForExitAsync();
        var port = FreePort.Next();
        var info = new ProcessStartInfo("setpriv") { WorkingDirectory = data };
        foreach (var arg in new[] { "--reuid=54321", "--regid=54321", "--clear-groups", "env", "-u", "HOME", "-u", "DOTNET_CLI_HOME",
                     "APPLIANCE_HTTPS_LISTEN=127.0.0.1:0", "APPLIANCE_DERP_STUN_LISTEN=127.0.0.1:0",
                     "APPLIANCE_METRICS_LISTEN=127.0.0.1:0", "APPLIANCE_BACKUP_INTERVAL=0", "APPLIANCE_BACKUP_VERIFY_INTERVAL=0",
                     "dotnet", ApplianceProcess.BuiltDll, "serve", "--data-dir", Path.Combine(data, "d"), "--listen", $"127.0.0.1:{port}" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = ApplianceProcess.Start(info);
        var health = await Http.WaitForHealthAsync(new Uri($"http://127.0.0.1:{port}"), process, TimeSpan.FromSeconds(60));
        process.Terminate();
        await process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(health == "ok", process.Stdout + process.Stderr);
        Assert.DoesNotContain("home directory", process.Stdout + process.Stderr, StringComparison.Ordinal);
    }
}
