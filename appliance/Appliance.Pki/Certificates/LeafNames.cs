using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Pki.Certificates;

/// <summary>Reads the DNS names and IP addresses from a certificate's SubjectAlternativeName extension.</summary>
public static class LeafNames
{
    public static (IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> Addresses) Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value == "2.5.29.17")
            {
                var san = new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
                return ([.. san.EnumerateDnsNames()], [.. san.EnumerateIPAddresses()]);
            }
        }

        return ([], []);
    }
}
