using Appliance.Hosting.Tls;
using Appliance.Pki.Export;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Appliance.Hosting.AdminConsole.Html.ConsoleHtml;

namespace Appliance.Hosting.AdminConsole.Pages;

/// <summary>
/// The certificates the HTTPS listener serves (leaf and chain) with SHA-256 fingerprints as phones and certutil
/// show them, their dates and health; and the chain's top certificate for download, PEM (Linux, Android, Firefox)
/// or DER (Windows, macOS).
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
        var certificates = new[] { current.Certificate.Leaf }.Concat(current.Certificate.Chain).ToList();
        var rows = current.Certificates.Zip(certificates).Select(pair => $"""
            <tr><td>{E(pair.First.Role.ToString())}</td><td>{E(pair.First.Subject)}</td>
            <td><code class="fingerprint">{E(CertificatePins.DisplayFingerprint(pair.Second))}</code></td>
            <td>{Time(pair.First.NotBefore)}</td><td>{Time(pair.First.NotAfter)}</td></tr>
            """);
        var health = store.GetHealth();
        var top = current.Certificate.Chain.Count > 0 ? current.Certificates[^1] : null;
        var body = $"""
            <p>Served from <code>{E(current.Certificate.Source.ToString())}</code>. Health: <strong id="ca-health">{E(health.Status.ToString())}</strong>.</p>
            {(health.Findings.Count == 0 ? "" : $"<ul>{string.Concat(health.Findings.Select(f => $"<li>{E(f.Message)}</li>"))}</ul>")}
            <table id="certificates">
            <caption class="vh">Certificates</caption>
            <thead><tr><th scope="col">Role</th><th scope="col">Subject</th><th scope="col">SHA-256 fingerprint</th><th scope="col">Valid from</th><th scope="col">Valid until</th></tr></thead>
            <tbody>{string.Concat(rows)}</tbody>
            </table>
            {(top is null ? "" : $"""
            <h2>Install on clients</h2>
            <p>Download {E(top.Role.ToString().ToLowerInvariant())} <em>{E(top.Subject)}</em> and compare its fingerprint with the table before trusting it:</p>
            <ul><li><a href="{Path}/trust.pem" download>PEM</a>: Linux (<code>/usr/local/share/ca-certificates/</code> as .crt), Android, Firefox</li>
            <li><a href="{Path}/trust.cer" download>DER</a>: Windows (certutil -addstore Root), macOS (Keychain), iOS</li></ul>
            """)}
            """;
        return Task.FromResult(ConsoleResults.Html(context, StatusCodes.Status200OK, Page(user, Path, "Certificate authority", body)));
    }

    public static Task<IResult> Download(ConsoleUser user, HttpContext context)
    {
        _ = user;
        var store = context.RequestServices.GetService<TlsCertificateStore>();
        if (store is null || store.Current.Certificate.Chain.Count == 0)
        {
            return Task.FromResult(Results.NotFound());
        }

        var top = store.Current.Certificate.Chain[^1];
        var pem = context.Request.Path.Value!.EndsWith(".pem", StringComparison.Ordinal);
        ConsoleResults.Secure(context);
        return Task.FromResult(pem
            ? Results.File(TrustExport.Pem([top]), "application/x-pem-file", "appliance-ca.pem")
            : Results.File(TrustExport.Der(top), "application/pkix-cert", "appliance-ca.cer"));
    }
}
