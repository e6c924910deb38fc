using System.Net;
using System.Text.Json;
using Appliance.Hosting.Admin;
using Appliance.Hosting.Tests.Cli;
using Appliance.ServerTests.Support;
using Appliance.State.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.EndToEnd;

/// <summary>
/// Interactive login end to end: a node without a pre-auth key gets an AuthURL and holds its Followup poll; the
/// operator lists and approves it with the real CLI verbs over admin.sock (`auth list`, `auth approve`, and the
/// Headscale-style `nodes register`), and the node's poll completes with a node it can stream a map for.
/// </summary>
public sealed class InteractiveApprovalTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Auth_list_and_approve_over_admin_sock_complete_a_waiting_interactive_registration()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync();
        Assert.True(appliance.Services.GetRequiredService<IdentityService>().CreateUser("bob").IsOk);
        var d = appliance.DataDir;
        var laptop = await appliance.ConnectNodeAsync("laptop");

        var first = await laptop.RegisterAsync(null);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        var url = first.Response!.AuthURL;
        Assert.Contains("/register/", url, StringComparison.Ordinal); // {server.server_url}/register/{id}
        var waiting = laptop.RegisterAsync(null, followup: url);

        var listed = await CliRun.RunAsync("auth", "list", "--data-dir", d, "-o", "json");
        Assert.True(listed.ExitCode == 0, listed.Error);
        var pending = Assert.Single(JsonSerializer.Deserialize(listed.Out, AdminJsonContext.Default.IReadOnlyListPendingRegistrationDto)!);
        Assert.Equal(url[(url.LastIndexOf('/') + 1)..], pending.Id);
        Assert.Equal("laptop", pending.Hostname);
        Assert.Equal(laptop.Machine.ToString(), pending.MachineKey);
        var table = await CliRun.RunAsync("auth", "list", "--data-dir", d);
        Assert.Contains(pending.Id, table.Out, StringComparison.Ordinal);
        Assert.Contains("laptop", table.Out, StringComparison.Ordinal);

        var unknownUser = await CliRun.RunAsync("auth", "approve", pending.Id, "--user", "mallory", "--data-dir", d);
        Assert.Equal(1, unknownUser.ExitCode);
        Assert.Contains("mallory", unknownUser.Error, StringComparison.Ordinal);
        Assert.False(waiting.IsCompleted, "a refused approval completed the client's wait");

        var approved = await CliRun.RunAsync("auth", "approve", pending.Id, "--user", "bob", "--data-dir", d, "-o", "json");
        Assert.True(approved.ExitCode == 0, approved.Error);
        var node = JsonSerializer.Deserialize(approved.Out, AdminJsonContext.Default.NodeDto)!;
        Assert.Equal("bob", node.User);
        Assert.Equal("laptop", node.Hostname);

        var done = await waiting.WaitAsync(Wait);
        Assert.Equal(HttpStatusCode.OK, done.Status);
        Assert.True(done.Response!.MachineAuthorized);
        Assert.Equal("bob", done.Response.Login.LoginName);
        Assert.True(await laptop.StartMapPollAsync() == HttpStatusCode.OK, laptop.LastError);
        Assert.True(await laptop.WaitUntilAsync(n => n.Self?.ID == node.Id, Wait));

        var again = await CliRun.RunAsync("auth", "approve", pending.Id, "--user", "bob", "--data-dir", d);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("no pending registration", again.Error, StringComparison.Ordinal);
        var empty = await CliRun.RunAsync("auth", "list", "--data-dir", d, "-o", "json");
        Assert.Empty(JsonSerializer.Deserialize(empty.Out, AdminJsonContext.Default.IReadOnlyListPendingRegistrationDto)!);

        // The Headscale spelling, given the whole URL the client printed; the first node sees the new peer.
        var desktop = await appliance.ConnectNodeAsync("desktop");
        var second = (await desktop.RegisterAsync(null)).Response!.AuthURL;
        var secondWait = desktop.RegisterAsync(null, followup: second);
        Assert.True(await EventuallyListedAsync(d), "the second registration never showed up in auth list");
        var registered = await CliRun.RunAsync("nodes", "register", "--user", "bob", "--key", second, "--data-dir", d);
        Assert.True(registered.ExitCode == 0, registered.Error);
        Assert.True((await secondWait.WaitAsync(Wait)).Response!.MachineAuthorized);
        Assert.True(await laptop.WaitUntilAsync(n => n.Peers.Values.Any(p => p.Name == "desktop.tailnet.internal."), Wait));
    }

    [Fact]
    public async Task Auth_verbs_say_the_service_must_be_running_when_nothing_answers_on_admin_sock()
    {
        using var folder = new TempFolder();
        var listed = await CliRun.RunAsync("auth", "list", "--data-dir", folder.Path);
        var approved = await CliRun.RunAsync("auth", "approve", "abc", "--user", "bob", "--data-dir", folder.Path);
        var alias = await CliRun.RunAsync("nodes", "register", "--user", "bob", "--key", "abc", "--data-dir", folder.Path);
        foreach (var result in new[] { listed, approved, alias })
        {
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("the service is not running", result.Error, StringComparison.Ordinal);
            Assert.Contains("admin.sock", result.Error, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Path.Combine(folder.Path, "appliance.db")), "a service-only verb opened the database");
    }

    /// <summary>The Followup post is in flight on another task; wait until the server holds it.</summary>
    private static async Task<bool> EventuallyListedAsync(string dataDir)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            var listed = await CliRun.RunAsync("auth", "list", "--data-dir", dataDir, "-o", "json");
            if (listed.ExitCode == 0 && JsonSerializer.Deserialize(listed.Out, AdminJsonContext.Default.IReadOnlyListPendingRegistrationDto)!.Count == 1)
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}
