using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Appliance.ServerTests.EndToEnd;
using Appliance.TestKit.Pki;

namespace Appliance.ServerTests.Identity;

/// <summary>
/// A configured site CA (smart cards; identity.client_ca_files and client_crl_files) over real TLS handshakes on
/// loopback: the handshake names the local and the site CA as acceptable issuers, a card maps to its person by the
/// UPN or e-mail in its subjectAltName, and the site's CRL file revokes it without a restart. A foreign CA and an
/// unmapped card are refused with their reason.
/// </summary>
public sealed class SiteCaLoginTests : IDisposable
{
    private readonly TempFolder _files = new();
    private readonly TestSiteCa _site = new();

    public SiteCaLoginTests()
    {
        File.WriteAllText(CaFile, _site.CaPem);
        File.WriteAllText(CrlFile, _site.IssuingCrlPem([]));
    }

    private string CaFile => _files.Combine("site-ca.pem");

    private string CrlFile => _files.Combine("site-ca.crl");

    public void Dispose()
    {
        _site.Dispose();
        _files.Dispose();
    }

    private static string IdentityText() =>
        LoginPageTests.IdentityText().Replace("\"people\": [", """
            "people": [
                {"login": "carol@site", "display_name": "Carol Card", "client_certificate": "upn:Carol@Corp.Example"},
                {"login": "dave@site", "display_name": "Dave Mail", "client_certificate": "email:dave@example.org"},
            """, StringComparison.Ordinal);

    private Task<ApplianceUnderTest> StartAsync() =>
        ApplianceUnderTest.StartAsync(identityText: IdentityText(), configure: o =>
        {
            o.Identity.CertificateLogin = true;
            o.Identity.ClientCaFiles = [CaFile];
            o.Identity.ClientCrlFiles = [CrlFile];
        });

    [Fact]
    public async Task The_handshake_names_both_CAs_and_a_smart_card_logs_its_person_in_by_UPN_or_email()
    {
        await using var appliance = await StartAsync();

        var issuers = await AcceptableIssuersAsync(appliance.Https.Port);
        Assert.Contains(issuers, i => i.Contains("Example Site Root CA", StringComparison.Ordinal));
        Assert.Contains(issuers, i => i.Contains("Example Site Smart Card CA", StringComparison.Ordinal));
        using var intermediate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(appliance.DataDir, "ca", "intermediate.crt"));
        var localName = intermediate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        Assert.Contains(issuers, i => i.Contains(localName, StringComparison.Ordinal));

        foreach (var (card, name) in new[]
        {
            (_site.Issue("Carol Card", upn: "carol@corp.example"), "Carol Card"),
            (_site.Issue("Dave Mail", upn: null, email: "Dave@Example.org"), "Dave Mail"),
        })
        {
            using (card)
            {
                var (node, waiting, url) = await CertificateLoginTests.WaitingAsync(appliance, "card-" + name[..4].ToLowerInvariant());
                using var browser = CertificateLoginTests.Browser(card, HttpVersion.Version20);
                var form = await browser.GetStringAsync(url);
                Assert.Contains($"Your browser presented the certificate of <strong>{name}</strong>", form, StringComparison.Ordinal);

                var response = await CertificateLoginTests.PostAsync(browser, url, CertificateLoginTests.Csrf(form), "");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var done = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
                Assert.True(done.Response!.MachineAuthorized, done.Text);
                Assert.Equal(name.Split(' ')[0].ToLowerInvariant() + "@site", done.Response.Login.LoginName);
                Assert.True(await node.StartMapPollAsync() == HttpStatusCode.OK, node.LastError);
            }
        }
    }

    [Fact]
    public async Task A_card_revoked_in_the_replaced_CRL_file_a_foreign_card_and_an_unmapped_card_are_refused_with_the_reason()
    {
        await using var appliance = await StartAsync();
        using var card = _site.Issue("Carol Card", upn: "carol@corp.example");
        using var other = new TestSiteCa("Other Site");
        using var foreign = other.Issue("Carol Card", upn: "carol@corp.example");
        using var unmapped = _site.Issue("Erin", upn: "erin@corp.example");
        var (_, waiting, url) = await CertificateLoginTests.WaitingAsync(appliance, "laptop");

        async Task<string> PageWith(X509Certificate2 certificate)
        {
            using var browser = CertificateLoginTests.Browser(certificate, HttpVersion.Version11);
            return await browser.GetStringAsync(url);
        }

        Assert.Contains("the certificate of <strong>Carol Card</strong>", await PageWith(card), StringComparison.Ordinal);
        Assert.Contains("Your certificate was not issued by this appliance&#39;s certificate authority or the site&#39;s.", await PageWith(foreign), StringComparison.Ordinal);
        Assert.Contains("Your certificate does not belong to anyone in the identity file.", await PageWith(unmapped), StringComparison.Ordinal);

        // The site publishes a new list: it counts at the next page view, no restart.
        ReplaceFile(CrlFile, _site.IssuingCrlPem([card]));
        var revoked = await PageWith(card);
        Assert.Contains("Your certificate has been revoked. Log in with your password instead.", revoked, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"method\" value=\"certificate\"", revoked, StringComparison.Ordinal);

        // A broken list never replaces the good one: the card stays revoked.
        ReplaceFile(CrlFile, "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
        Assert.Contains("Your certificate has been revoked.", await PageWith(card), StringComparison.Ordinal);
        Assert.False(waiting.IsCompleted, "a refused certificate registered the client");
    }

    /// <summary>The CA names the server's CertificateRequest carries, as a TLS client sees them.</summary>
    private static async Task<IReadOnlyList<string>> AcceptableIssuersAsync(int port)
    {
        string[] seen = [];
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
#pragma warning disable CA5359 // The server is the appliance under test on loopback; only its CertificateRequest is looked at.
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
            LocalCertificateSelectionCallback = (_, _, _, _, acceptable) =>
            {
                seen = acceptable.Length > 0 ? acceptable : seen;
                return null!;
            },
        });
        return seen;
    }

    /// <summary>As an operator's copy does: a new file renamed over the old one (and a distinct write time).</summary>
    private static void ReplaceFile(string path, string text)
    {
        var temp = path + ".new";
        File.WriteAllText(temp, text);
        File.SetLastWriteTimeUtc(temp, File.GetLastWriteTimeUtc(path).AddSeconds(2));
        File.Move(temp, path, overwrite: true);
    }
}
