using System.Diagnostics;
using System.Text.Json;
using Appliance.Cli;
using Appliance.Hosting.Admin;
using Appliance.Hosting.Tests.Admin;
using Appliance.Hosting.Tests.Docs;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>The parts of the output contract that golden files cannot show: errors, escaping, the new verbs' effects.</summary>
public sealed class OutputContractTests
{
    [Fact]
    public async Task A_mistyped_verb_gets_a_suggestion_and_the_usage_of_the_subcommand_being_typed()
    {
        var result = await CliRun.RunAsync("nodes", "lst");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains("Did you mean 'list' instead of 'lst'?", result.Error, StringComparison.Ordinal);
        Assert.Contains(" nodes [command] [options]", result.Error, StringComparison.Ordinal);
        Assert.Contains("list-routes, lsr, routes", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Run 'appliance --help'", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Required command", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "users", "list", "-o", "xml" }, "'xml' is not an output format: use table, json, json-line or yaml.")]
    [InlineData(new[] { "nodes", "expire", "abc" }, "'abc' is not a node id")]
    [InlineData(new[] { "nodes", "expire", "1", "--expiry", "tomorrow" }, "'tomorrow' is not a time")]
    [InlineData(new[] { "nodes", "expire", "1", "--expiry", "2030-01-01T00:00:00Z", "--disable" }, "--expiry and --disable cannot be used together.")]
    [InlineData(new[] { "health", "--timeout", "soon" }, "as a whole number")]
    public async Task Bad_values_are_worded_for_people_not_as_dotnet_types(string[] args, string message)
    {
        var result = await CliRun.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Appliance.Cli", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_is_a_global_option_with_a_short_form_before_or_after_the_verb()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        var config = Path.Combine(folder.Path, "appliance.yaml");
        await File.WriteAllTextAsync(config, $"server:\n  data_dir: {folder.DataDir}\n  listen: 127.0.0.1:18080\n");

        var before = await CliRun.RunAsync("-c", config, "users", "create", "alice");
        var after = await CliRun.RunAsync("users", "list", "--config", config, "-o", "json");
        var show = await CliRun.RunAsync("config", "show", "-c", config, "-o", "json");
        var missing = await CliRun.RunAsync("config", "check", "-c", Path.Combine(folder.Path, "nope.yaml"));

        Assert.Equal(0, before.ExitCode);
        Assert.Equal("alice", Assert.Single(JsonSerializer.Deserialize(after.Out, AdminJsonContext.Default.IReadOnlyListUserDto)!).Name);
        using var shown = JsonDocument.Parse(show.Out);
        Assert.Equal("127.0.0.1:18080", shown.RootElement.GetProperty("server").GetProperty("listen").GetString());
        Assert.Equal("2m", shown.RootElement.GetProperty("updates").GetProperty("health_timeout").GetString());
        Assert.Equal(ExitCodes.Config, missing.ExitCode);
    }

    [Fact]
    public async Task Json_keeps_quotes_readable_json_line_is_one_line_and_yaml_has_no_empty_dash_items()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        var d = folder.DataDir;
        var policy = Path.Combine(folder.Path, "policy.hujson");
        await File.WriteAllTextAsync(policy, Scenario.Policy);
        await CliRun.RunAsync("users", "create", "alice", "--data-dir", d);
        Assert.Equal(0, (await CliRun.RunAsync("policy", "set", policy, "--data-dir", d)).ExitCode);

        var json = await CliRun.RunAsync("policy", "get", "-o", "json", "--data-dir", d);
        var line = await CliRun.RunAsync("users", "list", "-o", "json-line", "--data-dir", d);
        var yaml = await CliRun.RunAsync("users", "list", "-o", "yaml", "--data-dir", d);

        Assert.Contains("\\\"quotes\\\" and & stay readable", json.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0022", json.Out, StringComparison.Ordinal);
        Assert.Equal(Scenario.Policy, JsonDocument.Parse(json.Out).RootElement.GetProperty("text").GetString());
        Assert.Single(line.Out.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("- id: 1\n  name: alice\n", yaml.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("-\n", yaml.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nodes_expire_sets_a_time_or_disables_expiry_and_preauthkeys_delete_removes_the_key()
    {
        using var folder = new AdminTestFolder();
        var d = folder.DataDir;
        await using (var server = await AdminTestServer.StartAsync(d))
        {
            server.AddNode(1, null, "tag:a");
        }

        var at = await CliRun.RunAsync("nodes", "expire", "1", "--expiry", "2031-01-02T03:04:05Z", "-o", "json", "--data-dir", d);
        var never = await CliRun.RunAsync("nodes", "logout", "1", "--disable", "-o", "json", "--data-dir", d);
        var past = await CliRun.RunAsync("nodes", "expire", "1", "--expiry", "2001-01-01T00:00:00Z", "-o", "json", "--data-dir", d);

        Assert.Equal(new DateTimeOffset(2031, 1, 2, 3, 4, 5, TimeSpan.Zero), JsonSerializer.Deserialize(at.Out, AdminJsonContext.Default.NodeDto)!.Expiry);
        var disabled = JsonSerializer.Deserialize(never.Out, AdminJsonContext.Default.NodeDto)!;
        Assert.Null(disabled.Expiry);
        Assert.False(disabled.Expired);
        Assert.True(JsonSerializer.Deserialize(past.Out, AdminJsonContext.Default.NodeDto)!.Expired);

        await CliRun.RunAsync("users", "create", "alice", "--data-dir", d);
        var key = (await CliRun.RunAsync("preauthkeys", "create", "--user", "alice", "--data-dir", d)).Out.Trim();
        var deleted = await CliRun.RunAsync("preauthkeys", "rm", key, "--force", "--data-dir", d);
        var again = await CliRun.RunAsync("preauthkeys", "delete", key, "--force", "--data-dir", d);
        Assert.Equal(0, deleted.ExitCode);
        Assert.Equal(ExitCodes.Failure, again.ExitCode);
        Assert.Contains("no pre-auth key with prefix", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_verbs_work_over_the_running_service_socket()
    {
        using var folder = new AdminTestFolder();
        await using var server = await AdminTestServer.StartAsync(folder.DataDir);
        server.AddNode(1, null, "tag:a");
        await CliRun.RunAsync("users", "create", "alice", "--data-dir", folder.DataDir);
        var key = (await CliRun.RunAsync("preauthkeys", "create", "--user", "alice", "--data-dir", folder.DataDir)).Out.Trim();

        var expiry = await CliRun.RunAsync("nodes", "expire", "1", "--disable", "-o", "json", "--data-dir", folder.DataDir);
        var deleted = await CliRun.RunAsync("preauthkeys", "delete", key, "--force", "--data-dir", folder.DataDir);

        Assert.True(expiry.ExitCode == 0, expiry.Error);
        Assert.Null(JsonSerializer.Deserialize(expiry.Out, AdminJsonContext.Default.NodeDto)!.Expiry);
        Assert.True(deleted.ExitCode == 0, deleted.Error);
        Assert.Null(server.Coordinator.Snapshot.Find(1)!.Record.KeyExpiry);
    }

    [Fact]
    public async Task Ca_verbs_follow_the_config_data_dir_print_openssl_fingerprints_and_refuse_a_partial_serial()
    {
        using var folder = new AdminTestFolder();
        var config = Path.Combine(folder.Path, "appliance.yaml");
        await File.WriteAllTextAsync(config, $"server:\n  data_dir: {folder.DataDir}\n");
        Assert.Equal(0, (await CliRun.RunAsync("ca", "init", "-c", config)).ExitCode);

        var status = await CliRun.RunAsync("ca", "status", "-c", config, "-o", "json");
        using var json = JsonDocument.Parse(status.Out);
        var root = json.RootElement.GetProperty("certificates")[0];
        var leaf = json.RootElement.GetProperty("certificates").EnumerateArray().Single(c => c.GetProperty("role").GetString() == "Leaf");
        var serial = leaf.GetProperty("serial").GetString()!;
        var partial = await CliRun.RunAsync("ca", "revoke", serial[..6], "--force", "-c", config);
        var whole = await CliRun.RunAsync("ca", "revoke", serial, "--force", "-c", config);

        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", root.GetProperty("sha256").GetString()!);
        Assert.Equal(ExitCodes.Usage, partial.ExitCode);
        Assert.Contains("not a whole serial", partial.Error, StringComparison.Ordinal);
        Assert.Contains("Nothing was revoked", partial.Error, StringComparison.Ordinal);
        Assert.Equal(0, whole.ExitCode);
        Assert.Contains("Revoked the current leaf", whole.Out, StringComparison.Ordinal);

        var pem = Path.Combine(folder.Path, "root.pem");
        Assert.Equal(0, (await CliRun.RunAsync("ca", "export", "--out", pem, "-c", config)).ExitCode);
        if (File.Exists("/usr/bin/openssl"))
        {
            using var openssl = Process.Start(new ProcessStartInfo("openssl", ["x509", "-in", pem, "-noout", "-fingerprint", "-sha256"]) { RedirectStandardOutput = true })!;
            var printed = (await openssl.StandardOutput.ReadToEndAsync()).Trim();
            await openssl.WaitForExitAsync();
            Assert.EndsWith("=" + root.GetProperty("sha256").GetString(), printed, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Health_exits_0_when_the_service_is_ready_and_69_when_nothing_answers()
    {
        using var folder = new AdminTestFolder();
        await using var appliance = await DocsAppliance.StartAsync(folder.Path);

        var ready = await CliRun.RunAsync("health", "-c", appliance.ConfigFile, "-o", "json");
        await appliance.DisposeAsync();
        var down = await CliRun.RunAsync("health", "-c", appliance.ConfigFile, "--timeout", "2");

        Assert.True(ready.ExitCode == 0, ready.Out + ready.Error);
        using var json = JsonDocument.Parse(ready.Out);
        Assert.Equal("ready", json.RootElement.GetProperty("status").GetString());
        Assert.True(json.RootElement.GetProperty("adminSocket").GetBoolean());
        Assert.Equal(ExitCodes.Unavailable, down.ExitCode);
        Assert.StartsWith("not running: http://127.0.0.1:", down.Out, StringComparison.Ordinal);
    }
}
