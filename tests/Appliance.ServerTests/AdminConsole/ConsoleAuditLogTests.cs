using System.Net;
using Appliance.Storage.Audit;

namespace Appliance.ServerTests.AdminConsole;

/// <summary>
/// Console actions reach the tamper-evident audit log (docs/ops/audit.md): one record per action, done or refused,
/// with the person as actor and the role and address in the target; the admin API under the console does not add a
/// second, anonymous record.
/// </summary>
public sealed class ConsoleAuditLogTests
{
    [Fact]
    public async Task A_console_rename_and_a_refused_one_are_one_audit_record_each_with_the_person()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var alice = await ConsoleClient.LoginAsync(tailnet.Appliance, "alice@site");
        var id = tailnet.RouterId;
        var before = AuditLogReader.Read(AuditLogFiles.FolderOf(tailnet.Appliance.DataDir)).Count();

        Assert.Equal(HttpStatusCode.SeeOther, (await alice.PostAsync($"/admin/nodes/{id}/rename", ("name", "edge"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.PostAsync($"/admin/nodes/{id}/rename", ("name", "Not A DNS Label!"))).Status);

        var records = AuditLogReader.Read(AuditLogFiles.FolderOf(tailnet.Appliance.DataDir)).Skip(before).Select(r => r.Record).ToList();
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal(("alice@site", "node.rename"), (r.Actor, r.Action)));
        Assert.Contains("(console, admin, from ", records[0].Target, StringComparison.Ordinal);
        Assert.Equal("ok", records[0].Result);
        Assert.StartsWith("refused: invalid", records[1].Result, StringComparison.Ordinal);
        // The journal copy (7001/7002) is still kept.
        Assert.Contains(tailnet.Audit, e => e is { Person: "alice@site", Action: "node.rename", Outcome: "ok" });
        Assert.True(AuditVerifier.Verify(AuditLogFiles.FolderOf(tailnet.Appliance.DataDir), []).Intact);
    }
}
