using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Hosting.Content;

/// <summary>
/// <c>ca-trust.pem</c> in an update bundle: extra root certificates that clients of this appliance should trust, in
/// addition to the appliance's own CA roots. The appliance does not use them to trust anything itself (it verifies no
/// client certificates); they are handed out with its own roots by <c>appliance ca export</c>, so that a root the
/// organisation introduces (a new offline root, a corporate CA fronting the appliance) reaches every client through
/// the same signed channel as policy and releases. Each PEM block must be a CERTIFICATE of a CA (basic constraints
/// CA=true) that has not expired; anything else refuses the whole file.
/// </summary>
public static class CaTrustFile
{
    public const string Label = "update content ca-trust.pem";

    public static IReadOnlyList<X509Certificate2> Load(string path, DateTimeOffset now)
    {
        var text = ContentFileText.ReadText(path, Label);

        var certificates = new List<X509Certificate2>();
        var rest = text.AsMemory();
        var offset = 0;
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            var line = LineOf(text, offset + fields.Location.Start.Value);
            var label = rest.Span[fields.Label].ToString();
            if (label != "CERTIFICATE")
            {
                Dispose(certificates);
                throw Invalid(path, line, $"a '{label}' block; only CERTIFICATE blocks belong in a trust file");
            }

            X509Certificate2 certificate;
            try
            {
                certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(rest.Span[fields.Base64Data].ToString()));
            }
            catch (CryptographicException exception)
            {
                Dispose(certificates);
                throw Invalid(path, line, "the certificate does not parse: " + exception.Message);
            }

            certificates.Add(certificate);
            var problem = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true }
                ? $"'{certificate.Subject}' is not a CA certificate (basic constraints CA=true)"
                : certificate.NotAfter.ToUniversalTime() <= now.UtcDateTime
                    ? $"'{certificate.Subject}' expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}"
                    : null;
            if (problem is not null)
            {
                Dispose(certificates);
                throw Invalid(path, line, problem);
            }

            offset += fields.Location.End.Value;
            rest = rest[fields.Location.End.Value..];
        }

        if (certificates.Count == 0)
        {
            throw new InvalidDataException($"{Label} '{path}': no CERTIFICATE block found");
        }

        return certificates;
    }

    private static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;

    private static InvalidDataException Invalid(string path, int line, string problem) =>
        new($"{Label} '{path}':{line}: {problem}");

    private static void Dispose(List<X509Certificate2> certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }
}
