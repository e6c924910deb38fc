using Appliance.Cli;
using Appliance.Hosting.Admin;
using Appliance.ServerTests.Support;
using Appliance.Storage.Audit;
using Appliance.TestKit;

namespace Appliance.ServerTests.Audit;

/// <summary>
/// kill -9 of a real `serve` while operator verbs are being recorded and the log rotates every KiB: what is left
/// verifies, except at most a torn last line reported as torn-at-end; the next write seals it and verify passes.
/// </summary>
[Trait("Category", "Slow")]
public sealed class AuditCrashTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Kill_9_during_heavy_audit_writes_and_rotation_leaves_a_chain_that_verifies()
    {
        var data = _temp.Combine("data");
        var port = FreePort.Next();
        using var serve = ApplianceProcess.Start(
            ["serve", "--data-dir", data, "--listen", $"127.0.0.1:{port}"],
            new Dictionary<string, string> { ["APPLIANCE_AUDIT_MAX_FILE_KIB"] = "1" });
        Assert.True(await Http.WaitForHealthAsync(new Uri($"http://127.0.0.1:{port}"), serve, Wait) == "ok", serve.Stdout + serve.Stderr);

        var folder = AuditLogFiles.FolderOf(data);
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            using var client = new AdminClient(Path.Combine(data, "admin.sock"));
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    await client.CreateUserAsync(new CreateUserRequest($"u{w}x{i}"), CancellationToken.None);
                }
                catch (HttpRequestException)
                {
                    return; // the server is gone
                }
            }
        })).ToList();

        var deadline = DateTime.UtcNow + Wait;
        while (AuditLogFiles.List(folder).Count < 4 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(AuditLogFiles.List(folder).Count >= 4, "the log did not rotate: " + serve.Stdout + serve.Stderr);
        serve.Signal("KILL");
        await serve.WaitForExitAsync(Wait);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var database = Path.Combine(data, "appliance.db");
        var afterCrash = AuditVerifier.Verify(folder, AuditAnchorStore.ReadOnly(database));
        Assert.True(afterCrash.Problems.All(p => p.Kind == AuditProblemKind.TornAtEnd) && afterCrash.Problems.Count <= 1,
            string.Join("\n", afterCrash.Problems));
        Assert.True(afterCrash.Records > 10);
        Assert.NotEmpty(AuditAnchorStore.ReadOnly(database));

        // The next writer (a CLI verb on the stopped appliance) continues the chain, sealing a torn line if there is one.
        var next = await ApplianceProcess.RunAsync(["users", "create", "after-crash", "--data-dir", data]);
        Assert.True(next.ExitCode == 0, next.Stderr);
        var verify = await ApplianceProcess.RunAsync(["audit", "verify", "--data-dir", data]);
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);
        Assert.Equal("after-crash", AuditLogReader.Read(folder).Last().Record.Target);
    }
}
