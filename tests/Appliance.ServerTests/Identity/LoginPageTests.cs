using System.Net;
using System.Text.RegularExpressions;
using Appliance.Hosting.Identity;
using Appliance.ServerTests.EndToEnd;
using Appliance.State.Identity;
using Appliance.TestKit.Control;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.Identity;

/// <summary>
/// The login page behind the AuthURL, over plain HTTP from a cookie-keeping client: a person from the identity
/// file logs in with password and TOTP and the waiting test node is registered to them; every bad input is
/// refused with nothing registered.
/// </summary>
public sealed partial class LoginPageTests
{
    internal const string Secret = "JBSWY3DPEHPK3PXPJBSWY3DP";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly Lazy<string> AliceHash = new(() => PasswordHasher.Hash("correct horse", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], 8 * 1024, 1));

    internal static string IdentityText(bool bobDisabled = false) => $$"""
        // people who may log in (test)
        {
          "people": [
            {"login": "alice@site", "display_name": "Alice Example", "email": "alice@example.org", "groups": ["ops"], "role": "admin",
             "password": "{{AliceHash.Value}}", "totp": "{{Secret}}"},
            {"login": "bob@site", "disabled": {{(bobDisabled ? "true" : "false")}}, "password": "{{AliceHash.Value}}"},
          ],
        }
        """;

    [Fact]
    public async Task A_person_logs_in_with_password_and_totp_and_the_waiting_client_is_registered_to_them()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync(identityText: IdentityText());
        var (node, waiting, url) = await WaitingLoginAsync(appliance, "laptop");
        using var browser = Browser(appliance);

        var form = await browser.GetStringAsync(url);
        Assert.Contains("laptop", form, StringComparison.Ordinal);
        var code = TotpSecret.Code(Secret, DateTimeOffset.UtcNow);
        var response = await PostAsync(browser, url, Csrf(form), "alice@site", "correct horse", code);
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("laptop is now registered to Alice Example", page, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        var done = await waiting.WaitAsync(Wait);
        Assert.True(done.Response!.MachineAuthorized);
        Assert.Equal("alice@site", done.Response.Login.LoginName);
        Assert.True(await node.StartMapPollAsync() == HttpStatusCode.OK, node.LastError);

        // The same code again (replay) is refused even with a fresh form. The very code used above, not a new one: the
        // seconds this takes can cross a 30 s step, and the next step's code is a fresh one, rightly accepted.
        var (_, _, second) = await WaitingLoginAsync(appliance, "desktop");
        var again = await PostAsync(browser, second, Csrf(await browser.GetStringAsync(second)), "alice@site", "correct horse", code);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }

    [Fact]
    public async Task Bad_input_is_refused_and_registers_nothing()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync(identityText: IdentityText(bobDisabled: true));
        var (_, waiting, url) = await WaitingLoginAsync(appliance, "laptop");
        using var browser = Browser(appliance);
        var code = TotpSecret.Code(Secret, DateTimeOffset.UtcNow);

        async Task<HttpStatusCode> Try(string login, string password, string totp, Func<string, string>? csrf = null)
        {
            var token = Csrf(await browser.GetStringAsync(url));
            return (await PostAsync(browser, url, (csrf ?? (t => t))(token), login, password, totp)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await Try("alice@site", "wrong", code));
        Assert.Equal(HttpStatusCode.Unauthorized, await Try("alice@site", "correct horse", "000000"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Try("bob@site", "correct horse", ""));           // disabled
        Assert.Equal(HttpStatusCode.Unauthorized, await Try("mallory@site", "correct horse", code));     // unknown
        Assert.Equal(HttpStatusCode.BadRequest, await Try("alice@site", "correct horse", code, _ => ""));   // no CSRF field
        Assert.Equal(HttpStatusCode.BadRequest, await Try("alice@site", "correct horse", code, t => "A" + t[1..])); // tampered

        // A replayed CSRF token (the same form posted twice) is refused the second time.
        var token = Csrf(await browser.GetStringAsync(url));
        await PostAsync(browser, url, token, "nobody@site", "x", "");
        browser.DefaultRequestHeaders.Remove("Cookie");
        Assert.Equal(HttpStatusCode.BadRequest, (await PostRawAsync(appliance, url, token, token)).StatusCode);

        // Giant form: refused before it is read.
        var giant = await browser.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string> { ["login"] = new string('a', 20_000) }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, giant.StatusCode);

        // Unknown registration id.
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync(new Uri(appliance.Http, "/register/nope"))).StatusCode);
        Assert.False(waiting.IsCompleted, "a refused login registered the client");
    }

    [Fact]
    public async Task After_five_failures_the_person_is_locked_out_even_with_the_right_password()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync(identityText: IdentityText());
        var (_, waiting, url) = await WaitingLoginAsync(appliance, "laptop");
        using var browser = Browser(appliance);
        for (var i = 0; i < 5; i++)
        {
            await PostAsync(browser, url, Csrf(await browser.GetStringAsync(url)), "alice@site", "wrong", "");
        }

        var locked = await PostAsync(browser, url, Csrf(await browser.GetStringAsync(url)), "alice@site", "correct horse",
            TotpSecret.Code(Secret, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Contains("Too many failed attempts", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(waiting.IsCompleted);

        // Each refusal is in the audit log (with the claimed name, never as a proven actor) and in the metric.
        var refusals = Appliance.Storage.Audit.AuditLogReader.Read(Appliance.Storage.Audit.AuditLogFiles.FolderOf(appliance.DataDir))
            .Select(r => r.Record).Where(r => r.Action == "login.refused").ToList();
        Assert.Equal(5, refusals.Count(r => r.Result == "refused: wrong password" && r.Actor == "anonymous (as alice@site)"));
        Assert.Single(refusals, r => r.Result == "refused: locked out");
        var scrape = await Appliance.ServerTests.Support.PrometheusScrape.GetAsync(appliance.Metrics);
        Assert.Equal(5, scrape.Value("appliance_login_failures_total", "reason=wrong_password"));
        Assert.Equal(1, scrape.Value("appliance_login_failures_total", "reason=locked_out"));
    }

    [Fact]
    public async Task Removing_a_person_from_the_file_disables_them_and_a_broken_file_keeps_the_last_good_identity()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync(identityText: IdentityText());
        var service = appliance.Services.GetRequiredService<IdentityFileService>();
        var identity = appliance.Services.GetRequiredService<IdentityService>();
        Assert.False(identity.FindUser("alice@site")!.Disabled);
        Assert.Equal("admin", identity.FindUser("alice@site")!.Role);

        await File.WriteAllTextAsync(service.FilePath, "{\"people\": [\n  {\"login\": \"bob@site\", \"role\": \"boss\"}]}");
        Assert.False(service.Reload());
        Assert.Equal("2:33: \"boss\" is not a role (one of owner, admin, network-admin, it-admin, billing-admin, auditor, member)", service.LastError);
        Assert.NotNull(service.Current.Find("alice@site"));

        await File.WriteAllTextAsync(service.FilePath, "{\"people\": [{\"login\": \"bob@site\"}]}");
        Assert.True(service.Reload());
        Assert.Null(service.Current.Find("alice@site"));
        Assert.True(identity.FindUser("alice@site")!.Disabled);
    }

    internal static async Task<(TestNode Node, Task<(HttpStatusCode Status, Appliance.Protocol.Control.RegisterResponse? Response, string Text)> Waiting, Uri Url)> WaitingLoginAsync(ApplianceUnderTest appliance, string hostname)
    {
        var node = await appliance.ConnectNodeAsync(hostname);
        var first = await node.RegisterAsync(null);
        var authUrl = first.Response!.AuthURL;
        var waiting = node.RegisterAsync(null, followup: authUrl);

        // The AuthURL carries server_url (not bound in tests); the page is the same path on the bound listener.
        var url = new Uri(appliance.Http, new Uri(authUrl).AbsolutePath);
        var writer = appliance.Services.GetRequiredService<IIdentityStateWriter>();
        var deadline = DateTime.UtcNow + Wait;
        while (writer.FindPending(url.AbsolutePath) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return (node, waiting, url);
    }

    private static HttpClient Browser(ApplianceUnderTest appliance) =>
        new(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = appliance.Http };

    private static string Csrf(string form) => CsrfField().Match(form).Groups[1].Value;

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, Uri url, string csrf, string login, string password, string totp) =>
        client.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["csrf"] = csrf, ["login"] = login, ["password"] = password, ["totp"] = totp,
        }));

    private static async Task<HttpResponseMessage> PostRawAsync(ApplianceUnderTest appliance, Uri url, string cookie, string csrf)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf, ["login"] = "alice@site", ["password"] = "x" }),
        };
        request.Headers.Add("Cookie", "login-csrf=" + cookie);
        _ = appliance;
        return await client.SendAsync(request);
    }

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
