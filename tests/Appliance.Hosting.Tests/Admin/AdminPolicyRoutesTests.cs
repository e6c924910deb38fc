using System.Globalization;
using Appliance.Cli;
using Appliance.Hosting.Admin;
using Appliance.Hosting.Tests.Cli;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.Storage.Stores;

namespace Appliance.Hosting.Tests.Admin;

/// <summary>The policy and route verbs over admin.sock and, with the service stopped, on the database directly.</summary>
public sealed class AdminPolicyRoutesTests
{
    private const string Good = """
        {
          "hosts": { "web": "100.64.0.10" },
          "acls": [ { "action": "accept", "src": ["*"], "dst": ["web:443"] } ],
        }
        """;

    private const string Bad = """
        {
          "acls": [ { "action": "accept", "src": ["tag:ghost"], "dst": ["*:*"] } ],
        }
        """;

    [Fact]
    public async Task Policy_set_get_and_check_over_the_socket_validate_and_keep_versions()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        await using var server = await AdminTestServer.StartAsync(folder.DataDir);
        using var client = new AdminClient(server.Directory.AdminSocketPath);

        Assert.Equal(OperationStatus.NotFound, (await client.GetPolicyAsync(CancellationToken.None)).Status);
        var refused = await client.SetPolicyAsync(new SetPolicyRequest(Bad, "bad.hujson"), CancellationToken.None);
        Assert.Equal(OperationStatus.Invalid, refused.Status);
        Assert.StartsWith("2:", refused.Error, StringComparison.Ordinal);
        Assert.Contains("tag:ghost", refused.Error, StringComparison.Ordinal);
        Assert.Empty(new PolicyStore(server.Database).List());

        var set = await client.SetPolicyAsync(new SetPolicyRequest(Good, "good.hujson"), CancellationToken.None);
        var again = await client.SetPolicyAsync(new SetPolicyRequest(Good, "good.hujson"), CancellationToken.None);
        var got = await client.GetPolicyAsync(CancellationToken.None);
        var check = await client.CheckPolicyAsync(new CheckPolicyRequest(Bad), CancellationToken.None);

        Assert.True(set.IsOk);
        Assert.Equal(set.Value!.Version, again.Value!.Version);
        Assert.Equal(Good, got.Value!.Text);
        Assert.Equal("admin:good.hujson", got.Value.Source);
        Assert.Equal(OperationStatus.Invalid, check.Status);
        Assert.Single(new PolicyStore(server.Database).List());
    }

    [Fact]
    public async Task Approve_routes_over_the_socket_stores_the_routes_and_tells_the_coordinator()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        await using var server = await AdminTestServer.StartAsync(folder.DataDir);
        var node = server.Add(AdminTestServer.NewNode(1, null, "tag:router") with
        {
            HostinfoJson = """{"Hostname":"host-1","RoutableIPs":["10.0.0.0/24","0.0.0.0/0"]}""",
        });
        var id = node.Id.ToString(CultureInfo.InvariantCulture);

        var approved = await CliRun.RunAsync("nodes", "approve-routes", id, "--routes", "10.0.0.0/24,0.0.0.0/0,::/0", "--data-dir", folder.DataDir, "-o", "json");
        var badRoute = await CliRun.RunAsync("nodes", "approve-routes", id, "--routes", "10.0.0.1/24", "--data-dir", folder.DataDir);

        Assert.True(approved.ExitCode == 0, approved.Error);
        var dto = System.Text.Json.JsonSerializer.Deserialize(approved.Out, AdminJsonContext.Default.NodeDto)!;
        Assert.Equal(["10.0.0.0/24", "0.0.0.0/0", "::/0"], dto.ApprovedRoutes);
        Assert.Equal(["10.0.0.0/24", "0.0.0.0/0"], dto.AdvertisedRoutes);
        Assert.Equal(3, server.Coordinator.Snapshot.Find(node.Id)!.Record.ApprovedRoutes.Length);
        Assert.Equal(ExitCodes.Failure, badRoute.ExitCode);
        Assert.Contains("not a route", badRoute.Error, StringComparison.Ordinal);
        Assert.Equal(3, new SqliteNodeRepository(server.Database).Get(node.Id)!.ApprovedRoutes.Length);

        var cleared = await CliRun.RunAsync("nodes", "approve-routes", id, "--routes", "", "--data-dir", folder.DataDir);
        Assert.True(cleared.ExitCode == 0, cleared.Error + cleared.Out);
        Assert.Empty(new SqliteNodeRepository(server.Database).Get(node.Id)!.ApprovedRoutes);
    }

    [Fact]
    public async Task Policy_cli_with_the_service_stopped_works_on_the_database_and_prints_file_line_column()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        var good = Path.Combine(folder.Path, "good.hujson");
        var bad = Path.Combine(folder.Path, "bad.hujson");
        await File.WriteAllTextAsync(good, Good);
        await File.WriteAllTextAsync(bad, Bad);
        await CliRun.RunAsync("users", "create", "alice", "--data-dir", folder.DataDir);

        var refused = await CliRun.RunAsync("policy", "set", bad, "--data-dir", folder.DataDir);
        var stored = await CliRun.RunAsync("policy", "set", good, "--data-dir", folder.DataDir);
        var got = await CliRun.RunAsync("policy", "get", "--data-dir", folder.DataDir);
        var checkedBad = await CliRun.RunAsync("policy", "check", bad, "--data-dir", folder.DataDir);

        Assert.Equal(ExitCodes.Failure, refused.ExitCode);
        Assert.StartsWith("bad.hujson:2:", refused.Error, StringComparison.Ordinal);
        Assert.Contains("policy not changed", refused.Error, StringComparison.Ordinal);
        Assert.True(stored.ExitCode == 0, stored.Error);
        Assert.Contains("policy version 1 is current", stored.Out, StringComparison.Ordinal);
        Assert.Equal(Good, got.Out);
        Assert.Equal(ExitCodes.Failure, checkedBad.ExitCode);
        Assert.StartsWith("bad.hujson:2:", checkedBad.Error, StringComparison.Ordinal);
    }
}
