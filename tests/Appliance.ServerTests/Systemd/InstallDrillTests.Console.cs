using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Appliance.Hosting.Identity;

namespace Appliance.ServerTests.Systemd;

/// <summary>
/// The drill's admin-console steps (issue 19), kept apart from the main flow: a person the security officer put in
/// the identity file logs in to the console over HTTPS, uploads the next release's bundle from "their machine" (this
/// test process), and the installed importer (appliance-update.path → appliance-update.service, as root) verifies it
/// again, switches to it and restarts the service; /ready then answers from the new release, the console's updates
/// page shows the result, and the audit log names the person for the request and for the import.
/// </summary>
public sealed partial class InstallDrillTests
{
    private const string ConsolePerson = "carol@site";
    private const string ConsolePassword = "drill console password";
    private const string ConsoleTotp = "JBSWY3DPEHPK3PXPJBSWY3DP";

    /// <param name="drop">The host folder with the bundles (the container's /media/usb).</param>
    /// <param name="http">The forwarder to the container's plain listener, for /ready.</param>
    private static async Task ImportFromTheConsoleAsync(Container c, string drop, Uri http)
    {
        // `appliance install` wrote and enabled the importer; tmpfiles.d made the inbox the service writes.
        Assert.Equal("active", (await c.MustAsync("systemctl", "is-active", "appliance-update.path")).Trim());
        Assert.Equal("appliance 700", (await c.MustAsync("stat", "-c", "%U %a", "/var/lib/appliance/updates-inbox")).Trim());

        // The security officer's identity file (docs/identity.md): one admin with a password and TOTP.
        var hash = PasswordHasher.Hash(ConsolePassword, [.. Enumerable.Range(1, 16).Select(i => (byte)i)], 8 * 1024, 1);
        var identity = $$"""{"people": [{"login": "{{ConsolePerson}}", "display_name": "Carol Console", "role": "admin", "password": "{{hash}}", "totp": "{{ConsoleTotp}}"}]}""";
        await c.MustAsync("sh", "-c", $"umask 077 && printf '%s\\n' '{identity}' > /etc/appliance/identity.hujson && chown appliance:appliance /etc/appliance/identity.hujson");
        await c.MustAsync("systemctl", "restart", "appliance");
        Assert.Equal(Version, await ReadyVersionAsync(http));

        await using var https = new NamespaceForwarder(c.InitPid, 8443);
        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler
        {
            CookieContainer = cookies,
            AllowAutoRedirect = false,
            // The appliance's own CA is not this test's trust store; the connection is the container's loopback.
            ServerCertificateCustomValidationCallback = (_, _, _, _) => true,
        };
        using var browser = new HttpClient(handler) { BaseAddress = new UriBuilder(https.Address) { Scheme = "https" }.Uri, Timeout = TimeSpan.FromMinutes(2) };

        var form = await browser.GetStringAsync("admin/login");
        using (var login = await browser.PostAsync("admin/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["csrf"] = Csrf(form), ["login"] = ConsolePerson, ["password"] = ConsolePassword, ["totp"] = TotpSecret.Code(ConsoleTotp, DateTimeOffset.UtcNow),
        })))
        {
            Assert.True(login.StatusCode == HttpStatusCode.SeeOther, $"console login: {login.StatusCode} {await login.Content.ReadAsStringAsync()}");
        }

        var updates = await browser.GetStringAsync("admin/updates");
        // The service reads root's pin (/usr/local/lib/appliance/root.json, decision 0112) and its own update state.
        Assert.Contains("<dt>Root metadata</dt><dd>version 1</dd>", updates, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"updates-error\"", updates, StringComparison.Ordinal);
        var file = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(drop, $"appliance-{NextVersion}.aupd")));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using (var upload = new MultipartFormDataContent { { new StringContent(Csrf(updates)), "csrf" }, { file, "bundle", $"appliance-{NextVersion}.aupd" } })
        using (var answer = await browser.PostAsync("admin/updates/import", upload))
        {
            var page = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode == HttpStatusCode.Accepted, $"upload: {answer.StatusCode} {page}");
            Assert.Contains("imports it within seconds", page, StringComparison.Ordinal);
        }

        // Root's importer restarts the service into the new release and waits for it to be healthy.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (await ReadyVersionAsync(http) != NextVersion)
        {
            Assert.True(DateTime.UtcNow < deadline, "/ready did not answer from the release uploaded in the console within 4 minutes:\n"
                + (await c.RunAsync("journalctl", "-u", "appliance-update", "--no-pager")).Stdout);
            await Task.Delay(1000);
        }

        // The page (the session is in the database: it outlived the restart) shows how the import ended.
        string result;
        while (!(result = await browser.GetStringAsync("admin/updates")).Contains("id=\"import-result\"", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the updates page shows no result of the console's import:\n" + result);
            await Task.Delay(1000);
        }

        Assert.Contains($"release {NextVersion} is running and healthy", WebUtility.HtmlDecode(result), StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"import-waiting\"", result, StringComparison.Ordinal);
        await AssertCommandVersionAsync(c, NextVersion);

        var records = (await c.MustAsync("appliance", "audit", "export", "-o", "json-line"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(e => (Actor: e.GetProperty("actor").GetString(), Action: e.GetProperty("action").GetString(), Result: e.GetProperty("result").GetString()))
            .ToList();
        Assert.Contains((ConsolePerson, "update.request", "ok"), records);
        Assert.Contains(records, r => r.Actor == ConsolePerson && r.Action == "update.import" && r.Result!.StartsWith($"ok: release {NextVersion}", StringComparison.Ordinal));
    }

    private static string Csrf(string page) => CsrfField().Match(page).Groups[1].Value;

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
