using System.Text.Json;
using Appliance.Cli;
using Appliance.Hosting.Admin;
using Appliance.Hosting.Tests.Admin;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>
/// Destructive verbs ask first. Without a terminal they refuse unless --force (exit 2, nothing changed); on a
/// terminal (a pseudo-terminal from `script`) "y" goes ahead and anything else aborts (exit 1, nothing changed).
/// </summary>
public sealed class ConfirmationTests
{
    [Fact]
    public async Task Without_a_terminal_and_without_force_every_destructive_verb_refuses_and_changes_nothing()
    {
        using var folder = new AdminTestFolder();
        var d = folder.DataDir;
        await using (var server = await AdminTestServer.StartAsync(d))
        {
            server.AddNode(1, null, "tag:a");
        }

        await CliRun.RunAsync("users", "create", "alice", "--data-dir", d);
        var key = (await CliRun.RunAsync("preauthkeys", "create", "--user", "alice", "--data-dir", d)).Out.Trim();

        var user = await CliRun.RunAsync("users", "delete", "alice", "--data-dir", d);
        var node = await CliRun.RunAsync("nodes", "rm", "1", "--data-dir", d);
        var preauth = await CliRun.RunAsync("preauthkeys", "delete", key, "--data-dir", d);

        Assert.All([user, node, preauth], r =>
        {
            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Contains("stdin is not a terminal; pass --force", r.Error, StringComparison.Ordinal);
            Assert.Equal("", r.Out);
        });
        Assert.Single(Json((await CliRun.RunAsync("users", "list", "-o", "json", "--data-dir", d)).Out, AdminJsonContext.Default.IReadOnlyListUserDto));
        Assert.Single(Json((await CliRun.RunAsync("nodes", "list", "-o", "json", "--data-dir", d)).Out, AdminJsonContext.Default.IReadOnlyListNodeDto));
        Assert.Single(Json((await CliRun.RunAsync("preauthkeys", "list", "-o", "json", "--data-dir", d)).Out, AdminJsonContext.Default.IReadOnlyListPreAuthKeyDto));
    }

    [Fact]
    public async Task Force_acts_without_asking_and_a_terminal_answer_decides()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        var d = folder.DataDir;
        await CliRun.RunAsync("users", "create", "alice", "--data-dir", d);
        var key = (await CliRun.RunAsync("preauthkeys", "create", "--user", "alice", "--data-dir", d)).Out.Trim();

        var no = await CliRun.RunWithAsync(new CliTerminal(new StringReader("n\n"), IsInteractive: true), "preauthkeys", "delete", key, "--data-dir", d);
        var yes = await CliRun.RunWithAsync(new CliTerminal(new StringReader("yes\n"), IsInteractive: true), "preauthkeys", "delete", key, "--data-dir", d, "-o", "json");
        var forced = await CliRun.RunAsync("users", "destroy", "alice", "--force", "--data-dir", d);

        Assert.Equal(ExitCodes.NotConfirmed, no.ExitCode);
        Assert.Contains("Delete pre-auth key apk_", no.Error, StringComparison.Ordinal);
        Assert.Contains("aborted: nothing was changed", no.Error, StringComparison.Ordinal);
        Assert.Equal(0, yes.ExitCode);
        Assert.Equal(key[..key.LastIndexOf('_')], Json(yes.Out, AdminJsonContext.Default.PreAuthKeyDto).Prefix);
        Assert.Equal(0, forced.ExitCode);
        Assert.Empty(Json((await CliRun.RunAsync("users", "list", "-o", "json", "--data-dir", d)).Out, AdminJsonContext.Default.IReadOnlyListUserDto));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task On_a_real_pseudo_terminal_n_aborts_and_y_deletes()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        var d = folder.DataDir;
        await CliRun.RunAsync("users", "create", "alice", "--data-dir", d);

        var no = await ApplianceProcess.OnTerminalAsync(folder.Path, $"appliance users delete alice --data-dir {d}", "n\n");
        var afterNo = await CliRun.RunAsync("users", "list", "-o", "json", "--data-dir", d);
        var yes = await ApplianceProcess.OnTerminalAsync(folder.Path, $"appliance users delete alice --data-dir {d}", "y\n");
        var afterYes = await CliRun.RunAsync("users", "list", "-o", "json", "--data-dir", d);
        var piped = await ApplianceProcess.BashAsync(folder.Path, $"appliance users delete nobody --data-dir {d} < /dev/null");

        Assert.Equal(ExitCodes.NotConfirmed, no.ExitCode);
        Assert.Contains("Delete user alice and their pre-auth keys? [y/N]", no.Out, StringComparison.Ordinal);
        Assert.Single(Json(afterNo.Out, AdminJsonContext.Default.IReadOnlyListUserDto));
        Assert.True(yes.ExitCode == 0, yes.Out + yes.Error);
        Assert.Empty(Json(afterYes.Out, AdminJsonContext.Default.IReadOnlyListUserDto));
        Assert.Equal(ExitCodes.Usage, piped.ExitCode);
        Assert.Contains("stdin is not a terminal", piped.Error, StringComparison.Ordinal);
    }

    private static T Json<T>(string text, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) => JsonSerializer.Deserialize(text, type)!;
}
