using System.Text.Json;
using Appliance.Cli;
using Appliance.Hosting.Admin;
using Appliance.Hosting.Tests.Admin;
using Appliance.State.Identity;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using UserStore = Appliance.Storage.Stores.UserStore;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>Operator verbs end to end on a temporary data folder with no service running (direct database mode).</summary>
public sealed class OperatorCliTests
{
    [Fact]
    public async Task Users_round_trip_through_create_list_rename_and_delete()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        var d = folder.DataDir;

        var created = await CliRun.RunAsync("users", "create", "alice", "--display-name", "Alice", "--data-dir", d);
        var renamed = await CliRun.RunAsync("users", "rename", "alice", "carol", "--data-dir", d);
        var listed = await CliRun.RunAsync("users", "--data-dir", d, "list", "-o", "json");
        var deleted = await CliRun.RunAsync("users", "delete", "carol", "--force", "--data-dir", d);
        var after = await CliRun.RunAsync("users", "list", "--data-dir", d, "-o", "json");

        Assert.Equal(0, created.ExitCode);
        Assert.Contains("alice", created.Out, StringComparison.Ordinal);
        Assert.Equal(0, renamed.ExitCode);
        var users = JsonSerializer.Deserialize(listed.Out, AdminJsonContext.Default.IReadOnlyListUserDto)!;
        Assert.Equal("carol", Assert.Single(users).Name);
        Assert.Equal("Alice", users[0].DisplayName);
        Assert.Equal(0, deleted.ExitCode);
        Assert.Empty(JsonSerializer.Deserialize(after.Out, AdminJsonContext.Default.IReadOnlyListUserDto)!);
    }

    [Fact]
    public async Task Preauthkeys_create_in_json_gives_the_key_in_a_key_field_and_the_key_registers()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        var d = folder.DataDir;
        await CliRun.RunAsync("users", "create", "alice", "--data-dir", d);

        var created = await CliRun.RunAsync(
            "preauthkeys", "create", "--user", "alice", "--reusable", "--ephemeral", "--expiration", "2h", "--tags", "tag:a,tag:b", "-o", "json", "--data-dir", d);

        Assert.Equal(0, created.ExitCode);
        using var json = JsonDocument.Parse(created.Out);
        var key = json.RootElement.GetProperty("key").GetString()!;
        Assert.StartsWith("apk_", key, StringComparison.Ordinal);
        Assert.True(json.RootElement.GetProperty("reusable").GetBoolean());
        Assert.True(json.RootElement.GetProperty("ephemeral").GetBoolean());
        Assert.Equal(["tag:a", "tag:b"], json.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        using var directory = DataDirectory.Open(d);
        using var database = ApplianceDatabase.Open(directory, TimeProvider.System);
        var use = new IdentityService(database, TimeProvider.System).TryConsumePreAuthKey(key, DateTimeOffset.UtcNow);
        Assert.Equal(PreAuthKeyCheck.Valid, use.Check);
    }

    [Fact]
    public async Task Preauthkeys_create_as_a_table_prints_only_the_key_and_list_never_shows_it()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        var d = folder.DataDir;
        await CliRun.RunAsync("users", "create", "alice", "--data-dir", d);

        var created = await CliRun.RunAsync("preauthkeys", "create", "--user", "alice", "--data-dir", d);
        var key = created.Out.Trim();
        var listed = await CliRun.RunAsync("preauthkeys", "list", "--data-dir", d);
        var expired = await CliRun.RunAsync("preauthkeys", "expire", key, "--data-dir", d, "-o", "json");

        Assert.Matches("^apk_[0-9A-Za-z]{12}_[0-9A-Za-z]{48}$", key);
        var prefix = key[..key.LastIndexOf('_')];
        Assert.Contains(prefix, listed.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listed.Out, StringComparison.Ordinal);
        Assert.Equal(0, expired.ExitCode);
        Assert.True(JsonSerializer.Deserialize(expired.Out, AdminJsonContext.Default.PreAuthKeyDto)!.Expired);
    }

    [Fact]
    public async Task Node_verbs_list_rename_tag_expire_and_delete()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        var d = folder.DataDir;
        long id;
        await using (var server = await AdminTestServer.StartAsync(d))
        {
            id = server.AddNode(1, null, "tag:a").Id;
            server.AddNode(2, null, "tag:a");
        }

        var ids = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var renamed = await CliRun.RunAsync("nodes", "rename", ids, "web", "--data-dir", d);
        var tagged = await CliRun.RunAsync("nodes", "tag", ids, "--tags", "tag:web,tag:prod", "--data-dir", d);
        var expired = await CliRun.RunAsync("nodes", "expire", ids, "--data-dir", d);
        var table = await CliRun.RunAsync("nodes", "list", "--data-dir", d);
        var yaml = await CliRun.RunAsync("nodes", "list", "--data-dir", d, "-o", "yaml");
        var deleted = await CliRun.RunAsync("nodes", "delete", ids, "--force", "--data-dir", d);
        var json = await CliRun.RunAsync("nodes", "list", "--data-dir", d, "-o", "json");

        Assert.Equal([0, 0, 0, 0], new[] { renamed.ExitCode, tagged.ExitCode, expired.ExitCode, deleted.ExitCode });
        Assert.Contains("ID  NAME", table.Out, StringComparison.Ordinal);
        var webRow = table.Out.Split('\n').Single(l => l.Contains("web ", StringComparison.Ordinal));
        Assert.Contains("tag:web,tag:prod", webRow, StringComparison.Ordinal);
        Assert.Contains("100.64.0.1", webRow, StringComparison.Ordinal);
        Assert.Contains("unknown", webRow, StringComparison.Ordinal);
        Assert.Contains("expired", webRow, StringComparison.Ordinal);
        Assert.Contains("  name: web\n", yaml.Out, StringComparison.Ordinal);
        Assert.Contains("  - tag:web\n", yaml.Out, StringComparison.Ordinal);
        var remaining = JsonSerializer.Deserialize(json.Out, AdminJsonContext.Default.IReadOnlyListNodeDto)!;
        Assert.Equal("host-2", Assert.Single(remaining).Name);
    }

    [Fact]
    public async Task Failures_print_a_reason_on_stderr_and_exit_1()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        var d = folder.DataDir;
        await CliRun.RunAsync("users", "create", "alice", "--data-dir", d);

        var duplicate = await CliRun.RunAsync("users", "create", "alice", "--data-dir", d);
        var badName = await CliRun.RunAsync("nodes", "rename", "1", "Bad_Name", "--data-dir", d);
        var noNode = await CliRun.RunAsync("nodes", "expire", "42", "--data-dir", d);
        var badDuration = await CliRun.RunAsync("preauthkeys", "create", "--user", "alice", "--expiration", "forever", "--data-dir", d);
        var noUser = await CliRun.RunAsync("preauthkeys", "create", "--user", "bob", "--data-dir", d);

        foreach (var result in new[] { duplicate, badName, noNode, badDuration, noUser })
        {
            Assert.Equal(ExitCodes.Failure, result.ExitCode);
            Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
            Assert.Equal("", result.Out);
        }

        Assert.Contains("already exists", duplicate.Error, StringComparison.Ordinal);
        Assert.Contains("no node with id 42", noNode.Error, StringComparison.Ordinal);
        Assert.Contains("no user named 'bob'", noUser.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_errors_exit_2()
    {
        var unknownVerb = await CliRun.RunAsync("users", "frobnicate");
        var unknownFlag = await CliRun.RunAsync("nodes", "list", "--colour");
        var badId = await CliRun.RunAsync("nodes", "expire", "abc");
        var badFormat = await CliRun.RunAsync("users", "list", "-o", "xml");

        Assert.All([unknownVerb, unknownFlag, badId, badFormat], r => Assert.Equal(ExitCodes.Usage, r.ExitCode));
    }

    [Fact]
    public async Task Direct_mode_refuses_a_data_folder_held_by_another_process_without_a_socket()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        using var held = DataDirectory.Open(folder.DataDir);

        var result = await CliRun.RunAsync("users", "list", "--data-dir", folder.DataDir);

        Assert.Equal(ExitCodes.InUse, result.ExitCode);
        Assert.Contains("in use by another appliance process", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_service_running_verbs_go_over_its_socket_and_reach_the_live_tailnet()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        await using var server = await AdminTestServer.StartAsync(folder.DataDir);
        var node = server.AddNode(1, null, "tag:a");
        var id = node.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var created = await CliRun.RunAsync("users", "create", "alice", "--data-dir", folder.DataDir);
        var renamed = await CliRun.RunAsync("nodes", "rename", id, "db", "--data-dir", folder.DataDir, "-o", "json");

        Assert.Equal(0, created.ExitCode);
        Assert.Equal("db", JsonSerializer.Deserialize(renamed.Out, AdminJsonContext.Default.NodeDto)!.Name);
        Assert.Equal("db", server.Coordinator.Snapshot.Find(node.Id)!.Record.GivenName);
        Assert.Equal("alice", Assert.Single(new UserStore(server.Database).List()).Name);
    }
}
