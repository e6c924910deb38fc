using System.Text.Json;
using Appliance.Hosting.Tests.Admin;
using Appliance.Storage.Audit;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>
/// Audit records for operator verbs (docs/ops/audit.md): a verb on the database directly and one over admin.sock are
/// recorded with who ran it, `audit verify` names a tampered line, `audit export` selects by time.
/// </summary>
public sealed class AuditCliTests
{
    private static List<AuditRecord> Records(string dataDir) =>
        [.. AuditLogReader.Read(AuditLogFiles.FolderOf(dataDir)).Select(r => r.Record)];

    [Fact]
    public async Task A_cli_verb_on_the_database_is_recorded_with_the_os_user_and_its_outcome_and_verifies()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        Assert.Equal(0, (await CliRun.RunAsync("users", "create", "alice", "--data-dir", folder.DataDir)).ExitCode);
        Assert.Equal(1, (await CliRun.RunAsync("users", "create", "alice", "--data-dir", folder.DataDir)).ExitCode);
        Assert.Equal(0, (await CliRun.RunAsync("users", "list", "--data-dir", folder.DataDir)).ExitCode);

        var records = Records(folder.DataDir);
        Assert.Equal(2, records.Count);
        Assert.Equal(("local:" + Environment.UserName, "user.create", "alice", "ok"), (records[0].Actor, records[0].Action, records[0].Target, records[0].Result));
        Assert.StartsWith("refused (conflict): ", records[1].Result, StringComparison.Ordinal);

        var verify = await CliRun.RunAsync("audit", "verify", "--data-dir", folder.DataDir);
        Assert.True(verify.ExitCode == 0, verify.Error);
        Assert.Contains("audit log intact: 2 record(s) in 1 file(s)", verify.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_verb_over_admin_sock_is_recorded_with_the_peer_user()
    {
        using var folder = new AdminTestFolder();
        await using (var server = await AdminTestServer.StartAsync(folder.DataDir))
        {
            var created = await CliRun.RunAsync("users", "create", "bob", "--data-dir", folder.DataDir);
            Assert.True(created.ExitCode == 0, created.Error);
        }

        var record = Assert.Single(Records(folder.DataDir));
        Assert.Equal(("local:" + Environment.UserName, "user.create", "bob"), (record.Actor, record.Action, record.Target));
    }

    [Fact]
    public async Task Verify_names_a_changed_line_and_exits_1()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        foreach (var name in new[] { "alice", "bob", "carol" })
        {
            await CliRun.RunAsync("users", "create", name, "--data-dir", folder.DataDir);
        }

        var file = Path.Combine(AuditLogFiles.FolderOf(folder.DataDir), AuditLogFiles.NameOf(1));
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("\"bob\"", "\"eve\"", StringComparison.Ordinal));

        var verify = await CliRun.RunAsync("audit", "verify", "--data-dir", folder.DataDir);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("audit-000001.log:2: changed", verify.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_prints_the_lines_in_the_range_as_json_lines_or_one_json_array()
    {
        using var folder = new AdminTestFolder().WithDatabase();
        await CliRun.RunAsync("users", "create", "alice", "--data-dir", folder.DataDir);
        var lines = await CliRun.RunAsync("audit", "export", "--since", "1h", "--data-dir", folder.DataDir);
        Assert.Equal(0, lines.ExitCode);
        var line = Assert.Single(lines.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.NotNull(AuditRecord.TryParse(line, out _));

        var json = await CliRun.RunAsync("audit", "export", "-o", "json", "--until", "2000-01-01T00:00:00Z", "--data-dir", folder.DataDir);
        Assert.Equal(0, json.ExitCode);
        Assert.Equal(0, JsonDocument.Parse(json.Out).RootElement.GetArrayLength());
        var all = await CliRun.RunAsync("audit", "export", "-o", "json", "--data-dir", folder.DataDir);
        Assert.Equal("user.create", JsonDocument.Parse(all.Out).RootElement[0].GetProperty("action").GetString());

        Assert.Equal(2, (await CliRun.RunAsync("audit", "export", "--since", "yesterday", "--data-dir", folder.DataDir)).ExitCode);
    }

    [Fact]
    public async Task Verify_without_a_data_folder_exits_66()
    {
        using var folder = new AdminTestFolder();
        Assert.Equal(66, (await CliRun.RunAsync("audit", "verify", "--data-dir", folder.DataDir)).ExitCode);
    }
}
