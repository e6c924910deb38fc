using System.Net;
using System.Net.Http.Headers;
using Appliance.Hosting.UpdateRequests;

namespace Appliance.ServerTests.AdminConsole;

/// <summary>
/// Importing an update from the browser, as far as the service goes: a bundle that passes the import's verification
/// is handed to root through the update inbox with the person's name (root's half, `update import --from-inbox`, is
/// tested in Appliance.Updates.Tests and, under a real systemd, in the install drill); a refused one, a second one
/// while one waits, and every role but owner/admin leave the inbox empty. The page shows what waits, and, without
/// the installed path unit, that imports from the browser need the installed service.
/// </summary>
public sealed class ConsoleUpdateImportTests
{
    [Fact]
    public async Task A_verified_bundle_waits_in_the_inbox_for_root_with_the_persons_name_and_the_page_says_so()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        ConsoleBundles.PrepareUpdatesRoot(tailnet.Appliance);
        using var alice = await ConsoleClient.LoginAsync(tailnet.Appliance, "alice@site");
        var inbox = UpdateInbox.ForDataDirectory(tailnet.Appliance.DataDir);

        var bundle = ConsoleBundles.Release("1.0.1");
        var (status, page) = await Import(alice, bundle, "appliance-1.0.1.aupd");

        Assert.True(status == HttpStatusCode.Accepted, page);
        Assert.Contains("passed every check and waits for the appliance to import it", page, StringComparison.Ordinal);
        Assert.Contains("id=\"import-waiting\"", page, StringComparison.Ordinal);
        Assert.Contains("imports from the browser need the installed service", page, StringComparison.Ordinal);
        var waiting = inbox.Read().Waiting!;
        Assert.Equal(("appliance-1.0.1.aupd", "alice@site", "admin", "release 1.0.1"), (waiting.File, waiting.Person, waiting.Role, waiting.Bundle));
        Assert.Equal(bundle, await File.ReadAllBytesAsync(inbox.BundlePath));
        Assert.DoesNotContain(Directory.EnumerateFiles(inbox.Folder), f => Path.GetFileName(f).StartsWith(".upload-", StringComparison.Ordinal));

        // One request at a time: a second upload is refused and the first stays as it was.
        var (busy, busyPage) = await Import(alice, ConsoleBundles.Release("1.0.2"), "appliance-1.0.2.aupd");
        Assert.Equal(HttpStatusCode.Conflict, busy);
        Assert.Contains("appliance-1.0.1.aupd (release 1.0.1), asked for by alice@site, waits or is being imported", busyPage, StringComparison.Ordinal);
        Assert.Equal("appliance-1.0.1.aupd", inbox.Read().Waiting?.File);

        // Everyone who may read sees the state; the auditor has no form to import with.
        using var audrey = await ConsoleClient.LoginAsync(tailnet.Appliance, "audrey@site");
        var seen = (await audrey.GetAsync("/admin/updates")).Page;
        Assert.Contains("Waiting to be imported:", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("action=\"/admin/updates/import\"", seen, StringComparison.Ordinal);

        // Root's importer finished it: the page shows the result (as result.json says) and the inbox is free again.
        var taken = inbox.Take(Path.Combine(tailnet.Appliance.DataDir, "updates"))!;
        File.Delete(taken.BundlePath!);
        inbox.Finish(new UpdateRequestResult(taken.Request!.Id, "alice@site", "appliance-1.0.1.aupd", true, "release 1.0.1 is running and healthy (was 1.0.0)", DateTimeOffset.UtcNow));
        var done = (await alice.GetAsync("/admin/updates")).Page;
        Assert.Contains("id=\"import-result\"", done, StringComparison.Ordinal);
        Assert.Contains("release 1.0.1 is running and healthy (was 1.0.0)", done, StringComparison.Ordinal);
        Assert.False(inbox.Busy);

        Assert.Equal(["update.request ok", "update.request conflict"],
            tailnet.Audit.Where(e => e.Person == "alice@site").Select(e => e.Action + " " + e.Outcome.Split(':')[0]));
        Assert.Contains(tailnet.Audit, e => e is { Action: "update.request", Target: "appliance-1.0.1.aupd (Release 1.0.1)", Outcome: "ok" });
    }

    [Fact]
    public async Task A_refused_bundle_and_a_role_that_may_not_import_leave_the_inbox_empty()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        ConsoleBundles.PrepareUpdatesRoot(tailnet.Appliance);
        using var alice = await ConsoleClient.LoginAsync(tailnet.Appliance, "alice@site");
        using var nora = await ConsoleClient.LoginAsync(tailnet.Appliance, "nora@site");
        var inbox = UpdateInbox.ForDataDirectory(tailnet.Appliance.DataDir);
        var tampered = ConsoleBundles.Release("1.0.1");
        tampered[^4] ^= 0x01;

        var (status, page) = await Import(alice, tampered, "tampered.aupd");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("The bundle tampered.aupd was refused:", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Import(alice, ConsoleBundles.Release("1.0.0"), "same.aupd")).Status); // not newer
        Assert.Equal(HttpStatusCode.Forbidden, (await Import(nora, ConsoleBundles.Release("1.0.1"), "nora.aupd")).Status);

        Assert.False(inbox.Busy);
        Assert.True(!Directory.Exists(inbox.Folder) || !Directory.EnumerateFileSystemEntries(inbox.Folder).Any(), "the inbox is not empty");
        Assert.Contains(tailnet.Audit, e => e is { Person: "nora@site", Action: "update.request", Outcome: "forbidden" });
    }

    internal static async Task<(HttpStatusCode Status, string Page)> Import(ConsoleClient client, byte[] bundle, string name)
    {
        var file = new ByteArrayContent(bundle);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var content = new MultipartFormDataContent
        {
            { new StringContent(client.Csrf), "csrf" },
            { file, "bundle", name },
        };
        using var response = await client.Http.PostAsync("/admin/updates/import", content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
