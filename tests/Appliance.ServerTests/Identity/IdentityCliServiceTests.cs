using System.Net;
using System.Text.Json;
using Appliance.Hosting.Admin;
using Appliance.Hosting.Identity;
using Appliance.Hosting.Tests.Cli;
using Appliance.ServerTests.EndToEnd;
using Appliance.State.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.Identity;

/// <summary>
/// The identity verbs against a running appliance: `users disable` rewrites the file and the service's watcher
/// applies it (the person's login stops); `auth reject` refuses a waiting client over admin.sock and the client is
/// told why.
/// </summary>
public sealed class IdentityCliServiceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Users_disable_with_the_service_running_is_picked_up_from_the_file()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync(identityText: LoginPageTests.IdentityText());
        var identityFile = Path.Combine(appliance.DataDir, "identity.hujson");
        var config = Path.Combine(appliance.DataDir, "cli.yaml");
        await File.WriteAllTextAsync(config, $"identity:\n  file: {identityFile}\n");
        var users = appliance.Services.GetRequiredService<IdentityService>();
        var service = appliance.Services.GetRequiredService<IdentityFileService>();
        Assert.False(users.FindUser("alice@site")!.Disabled);

        var result = await CliRun.RunAsync("users", "disable", "alice@site", "--config", config, "--data-dir", appliance.DataDir, "-o", "json");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("running service", JsonDocument.Parse(result.Out).RootElement.GetProperty("applied").GetString(), StringComparison.Ordinal);
        Assert.True(await EventuallyAsync(() => users.FindUser("alice@site")!.Disabled), "the running service never applied the edited file");
        Assert.True(service.Current.Find("alice@site")!.Disabled);
        Assert.True(File.Exists(identityFile + IdentityFileWriter.BackupSuffix));
    }

    [Fact]
    public async Task Auth_reject_over_admin_sock_tells_the_waiting_client_and_the_id_is_gone()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync();
        var d = appliance.DataDir;
        var laptop = await appliance.ConnectNodeAsync("laptop");
        var url = (await laptop.RegisterAsync(null)).Response!.AuthURL;
        var waiting = laptop.RegisterAsync(null, followup: url);

        var rejected = await CliRun.RunAsync("auth", "reject", url, "--reason", "not on the list", "--data-dir", d, "-o", "json");

        Assert.True(rejected.ExitCode == 0, rejected.Error);
        var dto = JsonSerializer.Deserialize(rejected.Out, AdminJsonContext.Default.RegistrationRejectionDto)!;
        Assert.Equal(url[(url.LastIndexOf('/') + 1)..], dto.Id);
        var done = await waiting.WaitAsync(Wait);
        Assert.Equal(HttpStatusCode.OK, done.Status);
        Assert.Equal("not on the list", done.Response!.Error);
        Assert.False(done.Response.MachineAuthorized);

        var again = await CliRun.RunAsync("auth", "reject", dto.Id, "--data-dir", d);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("no pending registration", again.Error, StringComparison.Ordinal);
        var approve = await CliRun.RunAsync("auth", "approve", dto.Id, "--user", "alice", "--data-dir", d);
        Assert.Equal(1, approve.ExitCode);
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return condition();
    }
}
