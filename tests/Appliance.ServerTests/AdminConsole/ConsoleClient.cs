using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Appliance.Hosting.Identity;
using Appliance.ServerTests.EndToEnd;

namespace Appliance.ServerTests.AdminConsole;

/// <summary>
/// A cookie-keeping HTTPS client for the admin console, as a browser without JavaScript uses it: it follows no
/// redirects (tests look at the 303s), pins the appliance's own certificate, and sends the CSRF token the console
/// put into its forms.
/// </summary>
internal sealed partial class ConsoleClient : IDisposable
{
    internal const string Password = "correct horse";
    internal const string AliceSecret = "JBSWY3DPEHPK3PXPJBSWY3DP";
    private static readonly Lazy<string> Hash = new(() => PasswordHasher.Hash(Password, [.. Enumerable.Range(1, 16).Select(i => (byte)i)], 8 * 1024, 1));

    private ConsoleClient(HttpClient http, CookieContainer cookies)
    {
        Http = http;
        Cookies = cookies;
    }

    public HttpClient Http { get; }

    public CookieContainer Cookies { get; }

    /// <summary>The console session cookie's value (empty before login).</summary>
    public string SessionCookie => Cookies.GetCookies(Http.BaseAddress!)["__Host-appliance-console"]?.Value ?? "";

    /// <summary>The session's CSRF token, read from the first console page after login.</summary>
    public string Csrf { get; private set; } = "";

    /// <summary>One person per role; alice (admin) also has TOTP. All share <see cref="Password"/>.</summary>
    internal static string IdentityText() => $$"""
        {
          "people": [
            {"login": "alice@site", "display_name": "Alice Admin", "role": "admin", "password": "{{Hash.Value}}", "totp": "{{AliceSecret}}"},
            {"login": "olga@site", "role": "owner", "password": "{{Hash.Value}}"},
            {"login": "nora@site", "display_name": "Nora Network", "role": "network-admin", "password": "{{Hash.Value}}"},
            {"login": "ivan@site", "display_name": "Ivan IT", "role": "it-admin", "password": "{{Hash.Value}}"},
            {"login": "audrey@site", "display_name": "Audrey Auditor", "role": "auditor", "password": "{{Hash.Value}}"},
            {"login": "bill@site", "role": "billing-admin", "password": "{{Hash.Value}}"},
            {"login": "mia@site", "role": "member", "password": "{{Hash.Value}}"},
          ],
        }
        """;

    public static async Task<ConsoleClient> CreateAsync(ApplianceUnderTest appliance)
    {
        var pinned = (await appliance.HttpsCertificateAsync()).GetCertHashString(HashAlgorithmName.SHA256);
        var cookies = new CookieContainer();
        var handler = new HttpClientHandler
        {
            UseCookies = true,
            CookieContainer = cookies,
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                certificate is not null && certificate.GetCertHashString(HashAlgorithmName.SHA256) == pinned,
        };
        return new ConsoleClient(new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{appliance.Https.Port}") }, cookies);
    }

    /// <summary>Logs in and asserts the console let the person in (303 to the nodes page).</summary>
    public static async Task<ConsoleClient> LoginAsync(ApplianceUnderTest appliance, string login)
    {
        var client = await CreateAsync(appliance);
        var response = await client.SubmitLoginAsync(login, Password, login == "alice@site" ? TotpSecret.Code(AliceSecret, DateTimeOffset.UtcNow) : "");
        Assert.True(response.StatusCode == HttpStatusCode.SeeOther, $"{login}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("/admin/nodes", response.Headers.Location!.OriginalString);
        await client.ReadCsrfAsync();
        return client;
    }

    /// <summary>A client of <paramref name="appliance"/> that carries a session cookie from elsewhere (another instance).</summary>
    public static async Task<ConsoleClient> WithSessionAsync(ApplianceUnderTest appliance, string sessionCookie)
    {
        var client = await CreateAsync(appliance);
        client.Cookies.Add(client.Http.BaseAddress!, new Cookie("__Host-appliance-console", sessionCookie, "/") { Secure = true, HttpOnly = true });
        return client;
    }

    /// <summary>Reads the session's CSRF token from the nodes page (asserting the session is live).</summary>
    public async Task ReadCsrfAsync()
    {
        var (status, page) = await GetAsync("/admin/nodes");
        Assert.Equal(HttpStatusCode.OK, status);
        Csrf = CsrfField().Match(page).Groups[1].Value;
        Assert.NotEmpty(Csrf);
    }

    public async Task<HttpResponseMessage> SubmitLoginAsync(string login, string password, string totp)
    {
        var (_, form) = await GetAsync("/admin/login");
        return await Http.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["csrf"] = CsrfField().Match(form).Groups[1].Value, ["login"] = login, ["password"] = password, ["totp"] = totp,
        }));
    }

    public async Task<(HttpStatusCode Status, string Page)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Posts a console form with this session's CSRF token (unless <paramref name="csrf"/> says otherwise).</summary>
    public async Task<(HttpStatusCode Status, string Page, string? Location)> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, string? csrf = null)
    {
        var all = new List<KeyValuePair<string, string>> { new("csrf", csrf ?? Csrf) };
        all.AddRange(fields);
        using var response = await Http.PostAsync(path, new FormUrlEncodedContent(all));
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Location?.OriginalString);
    }

    public Task<(HttpStatusCode Status, string Page, string? Location)> PostAsync(string path, params (string Name, string Value)[] fields) =>
        PostAsync(path, fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    internal static partial Regex CsrfField();
}
