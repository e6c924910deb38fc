using System.Net;
using System.Security.Cryptography.X509Certificates;
using Appliance.Hosting.Identity;
using Appliance.Pki.Authority;
using Appliance.ServerTests.EndToEnd;
using Appliance.ServerTests.Support;
using Appliance.TestKit.Pki;

namespace Appliance.ServerTests.Identity;

/// <summary>
/// Client-certificate login in a real browser: Debian's chromium, headless, driven by playwright-core
/// (tests/browser/certificate.mjs) with Playwright's clientCertificates option presenting a PKCS#12 file to the
/// appliance's HTTPS origin. A local-CA certificate plus the TOTP code, and a site-CA smart-card certificate alone,
/// register the waiting C# client to their person; a card the site's CRL revokes is refused with the reason on the
/// page. Screenshots in TestResults/screenshots. Needs /usr/bin/chromium and `npm ci` in tests/browser.
/// </summary>
[Trait("Category", "Browser")]
public sealed class CertificateLoginBrowserTests : IDisposable
{
    private const string Passphrase = "browser-test";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly TempFolder _files = new();
    private readonly TestSiteCa _site = new();

    public void Dispose()
    {
        _site.Dispose();
        _files.Dispose();
    }

    private static string IdentityText() =>
        LoginPageTests.IdentityText()
            .Replace("\"totp\": \"" + LoginPageTests.Secret + "\"}",
                "\"totp\": \"" + LoginPageTests.Secret + "\", \"client_certificate\": \"CN=alice@site, O=Appliance\"}", StringComparison.Ordinal)
            .Replace("\"people\": [", """
                "people": [
                    {"login": "carol@site", "display_name": "Carol Card", "client_certificate": "upn:carol@corp.example"},
                    {"login": "dave@site", "display_name": "Dave Card", "client_certificate": "upn:dave@corp.example"},
                """, StringComparison.Ordinal);

    private Task<ApplianceUnderTest> StartAsync(string crl)
    {
        var ca = _files.Combine("site-ca.pem");
        var crlFile = _files.Combine("site-ca.crl");
        File.WriteAllText(ca, _site.CaPem);
        File.WriteAllText(crlFile, crl);
        return ApplianceUnderTest.StartAsync(identityText: IdentityText(), configure: o =>
        {
            o.Identity.CertificateLogin = true;
            o.Identity.ClientCaFiles = [ca];
            o.Identity.ClientCrlFiles = [crlFile];
        });
    }

    [Fact]
    public async Task A_local_CA_certificate_with_the_TOTP_code_logs_in_in_chromium_and_the_client_gets_its_map()
    {
        await using var appliance = await StartAsync(_site.IssuingCrlPem([]));
        using (var ca = LocalCa.Open(appliance.DataDir, TimeProvider.System))
        {
            using var issued = ca.IssueClientCertificate("alice@site", TimeSpan.FromDays(30));
            File.WriteAllBytes(_files.Combine("alice.p12"), TestSiteCa.Pfx(issued, Passphrase));
        }

        var (node, waiting, url) = await CertificateLoginTests.WaitingAsync(appliance, "laptop");
        var (exit, output) = await RunAsync(url, "alice.p12", "login", TotpSecret.Code(LoginPageTests.Secret, DateTimeOffset.UtcNow), "certificate-local.png");

        Assert.True(exit == 0, output);
        Assert.Contains("laptop is now registered to Alice Example", output, StringComparison.Ordinal);
        var done = await waiting.WaitAsync(Wait);
        Assert.Equal("alice@site", done.Response!.Login.LoginName);
        Assert.True(await node.StartMapPollAsync() == HttpStatusCode.OK, node.LastError);
        Assert.True(File.Exists(Path.Combine(BrowserScript.Screenshots, "certificate-local.png")));
    }

    [Fact]
    public async Task A_site_smart_card_logs_in_in_chromium_and_a_card_revoked_by_the_site_CRL_is_refused_with_the_reason()
    {
        using var carol = _site.Issue("Carol Card", upn: "carol@corp.example");
        using var dave = _site.Issue("Dave Card", upn: "dave@corp.example");
        File.WriteAllBytes(_files.Combine("carol.p12"), TestSiteCa.Pfx(carol, Passphrase));
        File.WriteAllBytes(_files.Combine("dave.p12"), TestSiteCa.Pfx(dave, Passphrase));
        await using var appliance = await StartAsync(_site.IssuingCrlPem([dave]));

        var (node, waiting, url) = await CertificateLoginTests.WaitingAsync(appliance, "card-laptop");
        var (exit, output) = await RunAsync(url, "carol.p12", "login", "-", "certificate-site.png");
        Assert.True(exit == 0, output);
        Assert.Contains("card-laptop is now registered to Carol Card", output, StringComparison.Ordinal);
        Assert.Equal("carol@site", (await waiting.WaitAsync(Wait)).Response!.Login.LoginName);
        Assert.True(await node.StartMapPollAsync() == HttpStatusCode.OK, node.LastError);

        var (_, davesWaiting, davesUrl) = await CertificateLoginTests.WaitingAsync(appliance, "daves-laptop");
        var (refusedExit, refused) = await RunAsync(davesUrl, "dave.p12", "refused", "-", "certificate-revoked.png");
        Assert.True(refusedExit == 0, refused);
        Assert.Contains("Your certificate has been revoked.", refused, StringComparison.Ordinal);
        Assert.False(davesWaiting.IsCompleted, "a revoked card registered the client");
        Assert.True(File.Exists(Path.Combine(BrowserScript.Screenshots, "certificate-revoked.png")));
    }

    private Task<(int Exit, string Output)> RunAsync(Uri url, string pfx, string mode, string code, string screenshot) =>
        BrowserScript.RunAsync("certificate.mjs",
            [url.ToString(), _files.Combine(pfx), Passphrase, mode, code, Path.Combine(BrowserScript.Screenshots, screenshot)], TimeSpan.FromMinutes(2));
}
