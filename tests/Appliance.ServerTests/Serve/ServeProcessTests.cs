using Appliance.ServerTests.Support;

namespace Appliance.ServerTests.Serve;

/// <summary>`appliance` as operators and systemd run it: a child process, its exit codes and its output.</summary>
public sealed class ServeProcessTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public async Task Serve_on_invalid_config_exits_78_names_the_key_and_writes_nothing()
    {
        var config = _temp.Combine("bad.yaml");
        await File.WriteAllTextAsync(config, "server:\n  listen: nowhere\n  shutdown_timeout: 1d\n");
        var data = _temp.Combine("data");

        var (code, _, stderr) = await ApplianceProcess.RunAsync(["serve", "--config", config, "--data-dir", data]);

        Assert.Equal(78, code);
        Assert.Contains("server.listen", stderr, StringComparison.Ordinal);
        Assert.Contains("server.shutdown_timeout", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(data));
    }

    [Fact]
    public async Task Config_check_exits_0_on_a_good_file_and_78_listing_every_problem_on_a_bad_one()
    {
        var good = _temp.Combine("good.yaml");
        var bad = _temp.Combine("bad.yaml");
        await File.WriteAllTextAsync(good, "server:\n  listen: 127.0.0.1:9090\n");
        await File.WriteAllTextAsync(bad, "server:\n  listne: 127.0.0.1:9090\nderp:\n  region_id: 5\n");

        var ok = await ApplianceProcess.RunAsync(["config", "check", "--config", good]);
        var failed = await ApplianceProcess.RunAsync(["config", "check", "--config", bad]);

        Assert.Equal(0, ok.ExitCode);
        Assert.Contains("configuration OK", ok.Stdout, StringComparison.Ordinal);
        Assert.Equal(78, failed.ExitCode);
        Assert.Contains("server.listne", failed.Stderr, StringComparison.Ordinal);
        Assert.Contains("did you mean 'listen'", failed.Stderr, StringComparison.Ordinal);
        Assert.Contains("derp.region_id", failed.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_check_sees_environment_overrides()
    {
        var result = await ApplianceProcess.RunAsync(["config", "check"], new Dictionary<string, string> { ["APPLIANCE_LISTEN"] = "bogus" });

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("server.listen", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("APPLIANCE_LISTEN", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("appliance [command] [options]", "frobnicate")]
    [InlineData("appliance serve [options]", "serve", "--frobnicate")]
    [InlineData("appliance config check [options]", "config", "check", "--no-such-flag")]
    public async Task An_unknown_verb_or_flag_prints_the_usage_of_that_subcommand_and_exits_2(string usage, params string[] args)
    {
        var (code, stdout, stderr) = await ApplianceProcess.RunAsync(args);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: Unrecognized command or argument", stderr, StringComparison.Ordinal);
        Assert.Contains(usage, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_port_is_one_line_with_its_exit_code_and_no_stack_trace()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var environment = new Dictionary<string, string>(LogOff) { ["APPLIANCE_HTTPS_LISTEN"] = "127.0.0.1:0", ["APPLIANCE_DERP_STUN_LISTEN"] = "127.0.0.1:0" };
        var (code, stdout, stderr) = await ApplianceProcess.RunAsync(["serve", "--data-dir", _temp.Combine("data"), "--listen", $"127.0.0.1:{port}"], environment);

        Assert.Equal(1, code);
        var failure = Assert.Single((stdout + stderr).Split('\n'), l => l.Contains("did not start", StringComparison.Ordinal));
        Assert.Contains($"127.0.0.1:{port}", failure, StringComparison.Ordinal);
        Assert.EndsWith("(exit 1)", failure.TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_refuses_a_data_folder_that_cannot_be_created()
    {
        var file = _temp.Combine("not-a-folder");
        await File.WriteAllTextAsync(file, "");

        var (code, stdout, _) = await ApplianceProcess.RunAsync(["serve", "--data-dir", Path.Combine(file, "data"), "--listen", "127.0.0.1:0"]);

        Assert.Equal(73, code);
        Assert.Contains("not writable", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_serve_on_the_same_data_folder_exits_75_and_leaves_the_first_running()
    {
        var data = _temp.Combine("data");
        var port = FreePort.Next();
        using var first = ApplianceProcess.Start(["serve", "--data-dir", data, "--listen", $"127.0.0.1:{port}"], LogOff);
        Assert.Equal("ok", await Http.WaitForHealthAsync(new Uri($"http://127.0.0.1:{port}"), first, TimeSpan.FromSeconds(60)));

        var (code, stdout, _) = await ApplianceProcess.RunAsync(["serve", "--data-dir", data, "--listen", "127.0.0.1:0"], LogOff);

        Assert.Equal(75, code);
        Assert.Contains("in use by another appliance process", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(data, "admin.sock")));
        Assert.Equal("ok", await Http.WaitForHealthAsync(new Uri($"http://127.0.0.1:{port}"), first, TimeSpan.FromSeconds(5)));
        first.Terminate();
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Serve_prints_where_it_listens_and_the_next_steps()
    {
        var port = FreePort.Next();
        using var serve = ApplianceProcess.Start(["serve", "--data-dir", _temp.Combine("data"), "--listen", $"127.0.0.1:{port}"], LogOff);
        Assert.Equal("ok", await Http.WaitForHealthAsync(new Uri($"http://127.0.0.1:{port}"), serve, TimeSpan.FromSeconds(60)));
        serve.Terminate();
        Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains($"http://127.0.0.1:{port}", serve.Stdout, StringComparison.Ordinal);
        Assert.Contains("appliance users create", serve.Stdout, StringComparison.Ordinal);
        Assert.Contains("appliance preauthkeys create --user", serve.Stdout, StringComparison.Ordinal);
        Assert.Contains("tailscale up --login-server http://127.0.0.1:8080 --authkey", serve.Stdout, StringComparison.Ordinal);
        Assert.Contains("Appliance.Serve: Stopped cleanly", serve.Stdout, StringComparison.Ordinal);
        // Quiet for journald: no framework banners, no line without its source.
        Assert.DoesNotContain("Now listening on", serve.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Ctrl+C", serve.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("] : ", serve.Stdout, StringComparison.Ordinal);
        Assert.Single(serve.Stdout.Split('\n'), l => l.Contains("Listening on http://", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Version_prints_the_version_without_config_or_data()
    {
        var (code, stdout, _) = await ApplianceProcess.RunAsync(["version"]);

        Assert.Equal(0, code);
        Assert.Matches(@"^appliance \d+\.\d+\.\d+", stdout);
    }

    private static Dictionary<string, string> LogOff => new() { ["APPLIANCE_LOG_FILE"] = "off" };

    public void Dispose() => _temp.Dispose();
}
