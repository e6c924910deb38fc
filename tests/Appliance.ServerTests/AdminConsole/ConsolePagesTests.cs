using System.Net;
using Appliance.Hosting.Audit;
using Appliance.Hosting.Identity;
using Appliance.ServerTests.EndToEnd;
using Appliance.ServerTests.Identity;
using Appliance.Storage.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.AdminConsole;

/// <summary>
/// The audit, updates and live-nodes pages, the console's client-certificate login and sessions that outlive the
/// process (kept in the database), over HTTPS.
/// </summary>
public sealed class ConsolePagesTests
{
    [Fact]
    public async Task The_audit_page_filters_records_shows_the_chain_state_and_reports_a_tampered_log()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        var trail = tailnet.Appliance.Services.GetRequiredService<AuditTrail>();
        Assert.NotNull(trail.Record("nora@site", "node.rename", "7", "ok"));
        Assert.NotNull(trail.Record("ivan@site", "preauthkey.create", "apk_1234", "ok"));
        using var auditor = await ConsoleClient.LoginAsync(tailnet.Appliance, "audrey@site");

        var (status, page) = await auditor.GetAsync("/admin/audit");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Chain intact", page, StringComparison.Ordinal);
        Assert.Contains("preauthkey.create", page, StringComparison.Ordinal);
        Assert.Contains("node.rename", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<form method=\"post\" action=\"/admin/audit", page, StringComparison.Ordinal);

        var filtered = (await auditor.GetAsync("/admin/audit?actor=nora")).Page;
        Assert.Contains("node.rename", filtered, StringComparison.Ordinal);
        Assert.DoesNotContain("preauthkey.create", filtered, StringComparison.Ordinal);
        Assert.DoesNotContain("node.rename", (await auditor.GetAsync("/admin/audit?since=2099-01-01")).Page.Split("<tbody>")[1], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await auditor.GetAsync("/admin/audit?since=yesterday-ish")).Status);

        // Export: every matching record, each line exactly as the log stores it (the filter's link is on the page).
        Assert.Contains("href=\"/admin/audit/export?actor=nora\"", filtered, StringComparison.Ordinal);
        using (var export = await auditor.Http.GetAsync("/admin/audit/export?actor=nora"))
        {
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
            Assert.Equal("attachment", export.Content.Headers.ContentDisposition?.DispositionType);
            var lines = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var stored = AuditLogReader.Read(AuditLogFiles.FolderOf(tailnet.Appliance.DataDir)).Where(r => r.Record.Actor == "nora@site").Select(r => r.Line);
            Assert.Equal(stored, lines);
            Assert.Contains("node.rename", Assert.Single(lines), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await auditor.GetAsync("/admin/audit/export?since=yesterday-ish")).Status);

        var files = AuditLogFiles.List(AuditLogFiles.FolderOf(tailnet.Appliance.DataDir));
        var file = files[^1].Path;
        var text = await File.ReadAllTextAsync(file);
        await File.WriteAllTextAsync(file, text.Replace("apk_1234", "apk_9999", StringComparison.Ordinal));
        var tampered = (await auditor.GetAsync("/admin/audit")).Page;
        Assert.Contains("NOT intact", tampered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_updates_page_shows_the_running_release_and_an_uploaded_bundle_is_checked_by_the_import_verification_changing_nothing()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var alice = await ConsoleClient.LoginAsync(tailnet.Appliance, "alice@site");
        using var nora = await ConsoleClient.LoginAsync(tailnet.Appliance, "nora@site");
        var (status, page) = await alice.GetAsync("/admin/updates");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(Appliance.Hosting.Health.HealthEndpoints.RunningVersion, page, StringComparison.Ordinal);
        Assert.Contains("enctype=\"multipart/form-data\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("enctype=\"multipart/form-data\"", (await nora.GetAsync("/admin/updates")).Page, StringComparison.Ordinal);

        var updates = Path.Combine(tailnet.Appliance.DataDir, "updates");
        var before = Directory.Exists(updates) ? Directory.GetFileSystemEntries(updates, "*", SearchOption.AllDirectories).Length : 0;
        var refused = await Upload(alice, new byte[4096]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Contains("was refused:", refused.Page, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed.", refused.Page, StringComparison.Ordinal);
        Assert.Equal(before, Directory.Exists(updates) ? Directory.GetFileSystemEntries(updates, "*", SearchOption.AllDirectories).Length : 0);

        Assert.Equal(HttpStatusCode.Forbidden, (await Upload(nora, new byte[16])).Status);
        Assert.Contains(tailnet.Audit, e => e is { Person: "alice@site", Action: "update.check", Target: "bundle.aupd" } && e.Outcome.StartsWith("invalid: ", StringComparison.Ordinal));
        Assert.Contains(tailnet.Audit, e => e is { Person: "nora@site", Action: "update.check", Outcome: "forbidden" });
    }

    [Fact]
    public async Task The_nodes_page_reloads_itself_only_when_asked_shows_endpoints_and_keeps_the_strict_policy()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var alice = await ConsoleClient.LoginAsync(tailnet.Appliance, "alice@site");
        var still = (await alice.GetAsync("/admin/nodes")).Page;
        Assert.DoesNotContain("http-equiv=\"refresh\"", still, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"col\">Endpoints</th>", still, StringComparison.Ordinal);
        Assert.Contains("href=\"/admin/nodes?live=15\"", still, StringComparison.Ordinal);

        using var response = await alice.Http.GetAsync("/admin/nodes?q=router&live=2");
        var live = await response.Content.ReadAsStringAsync();
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"5\">", live, StringComparison.Ordinal); // clamped to 5 s at least
        Assert.Contains("href=\"/admin/nodes?q=router\">Stop refreshing", live, StringComparison.Ordinal);
        Assert.Equal("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task A_person_logs_in_to_the_console_with_their_client_certificate_and_TOTP_code()
    {
        var identityText = ConsoleClient.IdentityText().Replace(
            "\"totp\": \"" + ConsoleClient.AliceSecret + "\"}", "\"totp\": \"" + ConsoleClient.AliceSecret + "\", \"client_certificate\": \"CN=alice@site, O=Appliance\"}", StringComparison.Ordinal);
        await using var appliance = await ApplianceUnderTest.StartAsync(identityText: identityText, configure: o => o.Identity.CertificateLogin = true);
        using var certificate = CertificateLoginTests.Issue(appliance, "alice@site");
        using var browser = CertificateLoginTests.Browser(certificate, HttpVersion.Version11);
        browser.BaseAddress = new Uri($"https://127.0.0.1:{appliance.Https.Port}");

        var form = await browser.GetStringAsync("/admin/login");
        Assert.Contains("Your browser presented the certificate of <strong>Alice Admin</strong>", form, StringComparison.Ordinal);
        var wrong = await PostCertificate(browser, form, "000000");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("Wrong code.", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var right = await PostCertificate(browser, await browser.GetStringAsync("/admin/login"), TotpSecret.Code(ConsoleClient.AliceSecret, DateTimeOffset.UtcNow));
        var nodes = await right.Content.ReadAsStringAsync();
        Assert.True(right.StatusCode == HttpStatusCode.OK, nodes); // the redirect to /admin/nodes, followed
        Assert.Contains("Alice Admin (alice@site, admin)", nodes, StringComparison.Ordinal);

        // Without a certificate the page offers only the password form, and a forged certificate post is refused.
        using var plain = CertificateLoginTests.Browser(null, HttpVersion.Version11);
        plain.BaseAddress = browser.BaseAddress;
        var page = await plain.GetStringAsync("/admin/login");
        Assert.DoesNotContain("name=\"method\" value=\"certificate\"", page, StringComparison.Ordinal);
        var forged = await PostCertificate(plain, page, "123456");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Contains("presented no certificate", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_console_session_outlives_a_restart_because_it_is_kept_in_the_database()
    {
        using var data = new TempFolder();
        string cookie;
        await using (var first = await ApplianceUnderTest.StartAsync(dataDir: data.Path, identityText: ConsoleClient.IdentityText()))
        {
            using var nora = await ConsoleClient.LoginAsync(first, "nora@site");
            cookie = nora.SessionCookie;
            Assert.NotEmpty(cookie);
        }

        await using var second = await ApplianceUnderTest.StartAsync(dataDir: data.Path);
        using var again = await ConsoleClient.WithSessionAsync(second, cookie);
        await again.ReadCsrfAsync();
        Assert.Contains("Nora Network", (await again.GetAsync("/admin/people")).Page, StringComparison.Ordinal);

        // Logging out on this instance ends the session in the database: the cookie is worthless everywhere.
        Assert.Equal(HttpStatusCode.SeeOther, (await again.PostAsync("/admin/logout")).Status);
        using var replay = await ConsoleClient.WithSessionAsync(second, cookie);
        Assert.Equal(HttpStatusCode.SeeOther, (await replay.GetAsync("/admin/nodes")).Status);
    }

    private static async Task<(HttpStatusCode Status, string Page)> Upload(ConsoleClient client, byte[] bundle)
    {
        using var content = new MultipartFormDataContent
        {
            { new StringContent(client.Csrf), "csrf" },
            { new ByteArrayContent(bundle), "bundle", "bundle.aupd" },
        };
        using var response = await client.Http.PostAsync("/admin/updates/check", content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static Task<HttpResponseMessage> PostCertificate(HttpClient browser, string form, string code) =>
        browser.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["csrf"] = ConsoleClient.CsrfField().Match(form).Groups[1].Value, ["method"] = "certificate", ["totp"] = code,
        }));
}
