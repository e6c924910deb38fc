using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Appliance.Pki.Export;

/// <summary>What <c>appliance ca export</c> writes.</summary>
public static class TrustExport
{
    /// <summary>Every root to trust, PEM, current root first (what update-ca-certificates and SSL_CERT_FILE take).</summary>
    public static byte[] Pem(IEnumerable<X509Certificate2> roots)
    {
        var text = new StringBuilder();
        foreach (var root in roots)
        {
            text.Append(root.ExportCertificatePem()).Append('\n');
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>The current root alone, DER (certutil, Android and Apple profiles take one certificate per file).</summary>
    public static byte[] Der(X509Certificate2 root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return root.Export(X509ContentType.Cert);
    }
}
