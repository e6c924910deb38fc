using System.Security.Cryptography.X509Certificates;
using Appliance.Hosting.Tls;
using Appliance.Pki;
using Appliance.Pki.Authority;
using Appliance.Pki.Export;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Appliance.Hosting.AdminConsole.Html.ConsoleHtml;

namespace Appliance.Hosting.AdminConsole.Pages;

/// <summary>
/// The certificates the HTTPS listener serves (leaf and chain) and the roots clients must trust, with SHA-256
/// fingerprints as phones and certutil show them, their dates and health; and the roots for download, PEM (Linux,
/// Android, Firefox) or DER (Windows, macOS). With the local CA the roots are read from <c>&lt;data&gt;/ca</c> as
/// <c>appliance ca export</c> reads them; with the site's files, the top of the served chain is offered.
/// </summary>
internal static class CaPage
{
    public const string Path = "/admin/ca";

    public static Task<IResult> Show(ConsoleUser user, HttpContext context)
    {
        var store = context.RequestServices.GetService<TlsCertificateStore>();
        if (store is null)
        {
            return Task.FromResult(ConsoleResults.Html(context, StatusCodes.Status200OK,
                Page(user, Path, "Certificate authority", "<p>TLS is off (<code>tls.mode: off</code>): there is no CA.</p>")));
        }

        var current = store.Current;
        var served = new[] { current.Certificate.Leaf }.Concat(current.Certificate.Chain).ToList();
        var roots = Roots(store);
        var rows = current.Certificates.Zip(served).Select(pair => Row(pair.First.Role.ToString(), pair.Second))
            .Concat(roots.Where(r => served.All(s => s.Thumbprint != r.Thumbprint)).Select((r, i) => Row(i == 0 ? "Root" : "Root (also trusted)", r)));
        var health = store.GetHealth();
        var body = $"""
            <p>Served from <code>{E(current.Certificate.Source.ToString())}</code>. Health: <strong id="ca-health">{E(health.Status.ToString())}</strong>.</p>
            {(health.Findings.Count == 0 ? "" : $"<ul>{string.Concat(health.Findings.Select(f => $"<li>{E(f.Message)}</li>"))}</ul>")}
            <table id="certificates">
            <caption class="vh">Certificates</caption>
            <thead><tr><th scope="col">Role</th><th scope="col">Subject</th><th scope="col">SHA-256 fingerprint</th><th scope="col">Valid from</th><th scope="col">Valid until</th></tr></thead>
            <tbody>{string.Concat(rows)}</tbody>
            </table>
            {(roots.Count == 0 ? "" : $"""
            <h2>Install on clients</h2>
            <p>Download the root <em>{E(roots[0].Subject)}</em> and compare its fingerprint with the table before trusting it:</p>
            <ul><li><a href="{Path}/trust.pem" download>PEM</a> (every root to trust): Linux (<code>/usr/local/share/ca-certificates/</code> as .crt), Android, Firefox</li>
            <li><a href="{Path}/trust.cer" download>DER</a> (the current root): Windows (certutil -addstore Root), macOS (Keychain), iOS</li></ul>
            """)}
            """;
        foreach (var root in roots)
        {
            root.Dispose();
        }

        return Task.FromResult(ConsoleResults.Html(context, StatusCodes.Status200OK, Page(user, Path, "Certificate authority", body)));
    }

    public static Task<IResult> Download(ConsoleUser user, HttpContext context)
    {
        _ = user;
        var store = context.RequestServices.GetService<TlsCertificateStore>();
        var roots = store is null ? [] : Roots(store);
        try
        {
            if (roots.Count == 0)
            {
                return Task.FromResult(Results.NotFound());
            }

            ConsoleResults.Secure(context);
            return Task.FromResult(context.Request.Path.Value!.EndsWith(".pem", StringComparison.Ordinal)
                ? Results.File(TrustExport.Pem(roots), "application/x-pem-file", "appliance-ca.pem")
                : Results.File(TrustExport.Der(roots[0]), "application/pkix-cert", "appliance-ca.cer"));
        }
        finally
        {
            foreach (var root in roots)
            {
                root.Dispose();
            }
        }
    }

    /// <summary>The roots clients trust, current first; the caller disposes them.</summary>
    private static IReadOnlyList<X509Certificate2> Roots(TlsCertificateStore store)
    {
        if (store.Options.Mode == TlsMode.LocalCa)
        {
            try
            {
                using var ca = LocalCa.Open(store.Options.DataDir, store.Time);
                return ca.TrustedRoots();
            }
            catch (CaException)
            {
                // Unreadable CA files: the page still shows what is served; the health line says what is wrong.
            }
        }

        var chain = store.Current.Certificate.Chain;
        return chain.Count == 0 ? [] : [X509CertificateLoader.LoadCertificate(chain[^1].RawData)];
    }

    private static string Row(string role, X509Certificate2 certificate) => $"""
        <tr><td>{E(role)}</td><td>{E(certificate.Subject)}</td>
        <td><code class="fingerprint">{E(CertificatePins.DisplayFingerprint(certificate))}</code></td>
        <td>{Time(new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero))}</td><td>{Time(new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero))}</td></tr>
        """;
}
