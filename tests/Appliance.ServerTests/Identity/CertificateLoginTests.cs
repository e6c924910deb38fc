using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Appliance.Hosting.Identity;
using Appliance.Pki.Authority;
using Appliance.Pki.Certificates;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.ServerTests.EndToEnd;
using Appliance.TestKit.Control;
using Appliance.TestKit.Noise;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.ServerTests.Identity;

/// <summary>
/// Client-certificate login (identity.certificate_login) over real TLS handshakes on loopback: HttpClient presents a
/// certificate from the appliance's CA on the HTTPS listener, the page recognises the person, and with their TOTP
/// code the waiting client is registered to them. Revoked, expired, foreign, unmatched and disabled-person
/// certificates are refused with the reason on the page. Clients that present no certificate (password login,
/// HTTP/2, the ts2021 upgrade as tailscaled does it) are unaffected.
/// </summary>
public sealed partial class CertificateLoginTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static string IdentityText() =>
        LoginPageTests.IdentityText(bobDisabled: true)
            .Replace("\"totp\": \"" + LoginPageTests.Secret + "\"}",
                "\"totp\": \"" + LoginPageTests.Secret + "\", \"client_certificate\": \"CN=alice@site, O=Appliance\"}", StringComparison.Ordinal)
            .Replace("{\"login\": \"bob@site\",", "{\"login\": \"bob@site\", \"client_certificate\": \"O=Appliance, CN=bob@site\",", StringComparison.Ordinal);

    private static Task<ApplianceUnderTest> StartAsync() =>
        ApplianceUnderTest.StartAsync(identityText: IdentityText(), configure: o => o.Identity.CertificateLogin = true);

    [Fact]
    public async Task A_person_logs_in_with_their_certificate_and_TOTP_code_over_HTTP2_and_the_client_is_registered_to_them()
    {
        await using var appliance = await StartAsync();
        using var certificate = Issue(appliance, "alice@site");
        var (node, waiting, url) = await WaitingAsync(appliance, "laptop");
        using var browser = Browser(certificate, HttpVersion.Version20);

        var form = await browser.GetAsync(url);
        var text = await form.Content.ReadAsStringAsync();
        Assert.Equal(HttpVersion.Version20, form.Version);
        Assert.Contains("Your browser presented the certificate of <strong>Alice Example</strong>", text, StringComparison.Ordinal);

        var wrong = await PostAsync(browser, url, Csrf(text), "000000");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("Wrong code.", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(waiting.IsCompleted);

        var response = await PostAsync(browser, url, Csrf(await browser.GetStringAsync(url)), TotpSecret.Code(LoginPageTests.Secret, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("laptop is now registered to Alice Example", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var done = await waiting.WaitAsync(Wait);
        Assert.True(done.Response!.MachineAuthorized);
        Assert.Equal("alice@site", done.Response.Login.LoginName);
        Assert.True(await node.StartMapPollAsync() == HttpStatusCode.OK, node.LastError);
    }

    [Fact]
    public async Task Revoked_expired_foreign_unmatched_and_disabled_certificates_are_refused_with_their_reason()
    {
        await using var appliance = await StartAsync();
        using var revoked = Issue(appliance, "alice@site");
        using (var ca = LocalCa.Open(appliance.DataDir, TimeProvider.System))
        {
            Assert.Single(ca.RevokeClient("alice@site"));
        }

        using var expired = Issue(appliance, "alice@site", new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-3)), TimeSpan.FromHours(1));
        using var foreign = SelfSigned("CN=alice@site, O=Appliance");
        using var unmatched = Issue(appliance, "carol@site");
        using var disabled = Issue(appliance, "bob@site");
        var (_, waiting, url) = await WaitingAsync(appliance, "laptop");

        var attempt = 0;
        foreach (var (certificate, reason) in new[]
        {
            (revoked, "Your certificate has been revoked."),
            (expired, "Your certificate has expired."),
            (foreign, "Your certificate was not issued by this appliance&#39;s certificate authority or the site&#39;s."),
            (unmatched, "Your certificate does not belong to anyone in the identity file."),
            (disabled, "The person this certificate belongs to is disabled."),
        })
        {
            using var browser = Browser(certificate, HttpVersion.Version11);
            var page = await browser.GetStringAsync(url);
            Assert.Contains(reason + " Log in with your password instead.", page, StringComparison.Ordinal);
            Assert.DoesNotContain("name=\"method\" value=\"certificate\"", page, StringComparison.Ordinal);

            // Posting the certificate form anyway (a stale page, a forged post) is refused with the same reason, and
            // counts as a failure: the fifth from this address locks it out.
            var post = await PostAsync(browser, url, Csrf(page), TotpSecret.Code(LoginPageTests.Secret, DateTimeOffset.UtcNow));
            Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
            Assert.Contains(++attempt < 5 ? reason : "Too many failed attempts", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.False(waiting.IsCompleted, "a refused certificate registered the client");
    }

    [Fact]
    public async Task Clients_without_a_certificate_are_unaffected_password_login_and_the_ts2021_upgrade_over_TLS_still_work()
    {
        await using var appliance = await StartAsync();
        var (_, waiting, url) = await WaitingAsync(appliance, "laptop");
        using var browser = Browser(null, HttpVersion.Version20);

        var page = await browser.GetStringAsync(url);
        Assert.DoesNotContain("name=\"method\"", page, StringComparison.Ordinal);
        var certificateOnly = await PostAsync(browser, url, Csrf(page), "123456");
        Assert.Equal(HttpStatusCode.Unauthorized, certificateOnly.StatusCode);
        Assert.Contains("Your browser presented no certificate", await certificateOnly.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var login = await browser.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["csrf"] = Csrf(await browser.GetStringAsync(url)), ["login"] = "alice@site", ["password"] = "correct horse",
            ["totp"] = TotpSecret.Code(LoginPageTests.Secret, DateTimeOffset.UtcNow),
        }));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.True((await waiting.WaitAsync(Wait)).Response!.MachineAuthorized);

        // tailscaled with an https:// server_url: TLS without a certificate, then the HTTP/1.1 ts2021 upgrade.
        var https = new Uri($"https://127.0.0.1:{appliance.Https.Port}/");
        var serverKey = await NoiseControlClient.FetchServerKeyAsync(appliance.Http, CapabilityVersion.TestClient);
        await using var noise = await NoiseControlClient.ConnectAsync(https, MachinePrivate.Generate(), serverKey, CapabilityVersion.TestClient);
        await using var node = new TestNode(noise.Http, noise.MachineKey, "server");
        var registered = await node.RegisterAsync(appliance.CreatePreAuthKey());
        Assert.True(registered.Response!.MachineAuthorized, registered.Text);
    }

    internal static X509Certificate2 Issue(ApplianceUnderTest appliance, string login, TimeProvider? time = null, TimeSpan? lifetime = null)
    {
        using var ca = LocalCa.Open(appliance.DataDir, time ?? TimeProvider.System);
        using var issued = ca.IssueClientCertificate(login, lifetime ?? TimeSpan.FromDays(30));
        return Loadable(issued);
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(CertificateFactory.ClientAuthOid)], false));
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        return Loadable(made);
    }

    /// <summary>Through PKCS#12, as a browser imports it, so SslStream can use the private key on every platform.</summary>
    private static X509Certificate2 Loadable(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12, "test"), "test");

    internal static async Task<(TestNode Node, Task<(HttpStatusCode Status, RegisterResponse? Response, string Text)> Waiting, Uri Url)> WaitingAsync(ApplianceUnderTest appliance, string hostname)
    {
        var (node, waiting, url) = await LoginPageTests.WaitingLoginAsync(appliance, hostname);
        return (node, waiting, new Uri($"https://127.0.0.1:{appliance.Https.Port}{url.AbsolutePath}"));
    }

    internal static HttpClient Browser(X509Certificate2? certificate, Version version)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = true,
            CookieContainer = new CookieContainer(),
            SslOptions = new SslClientAuthenticationOptions
            {
#pragma warning disable CA5359 // The server is the appliance under test on loopback; its chain is the Tls area's tests' subject.
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
                LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate!,
                ClientCertificates = certificate is null ? null : new X509CertificateCollection { certificate },
            },
        };
        if (certificate is null)
        {
            handler.SslOptions.LocalCertificateSelectionCallback = null;
        }

        return new HttpClient(handler) { DefaultRequestVersion = version, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    }

    internal static Task<HttpResponseMessage> PostAsync(HttpClient client, Uri url, string csrf, string totp) =>
        client.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf, ["method"] = "certificate", ["totp"] = totp }));

    internal static string Csrf(string form) => CsrfField().Match(form).Groups[1].Value;

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
