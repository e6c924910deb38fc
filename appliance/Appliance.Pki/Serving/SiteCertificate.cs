using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Pki.Files;

namespace Appliance.Pki.Serving;

/// <summary>
/// tls.mode = files: a certificate chain and key supplied by the site's own PKI, in PEM. The certificate file holds
/// the leaf first, then any intermediates (served in that order); the key file must be 0600 like the CA's keys.
/// The appliance never renews these; health warns when a third of the life remains.
/// </summary>
public static class SiteCertificate
{
    public static ServingCertificate Load(string certificateFile, string keyFile, double renewAt = 0.66)
    {
        SecureFile.RequireExists(keyFile, "TLS private key (tls.key_file)");
        SecureFile.CheckPrivateFile(keyFile);
        var certificates = SecureFile.ReadCertificates(certificateFile);
        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new CaException(
                CaErrorKind.CorruptFile,
                $"{keyFile} is not the private key for the first certificate in {certificateFile} ({e.Message}).",
                e);
        }

        return new ServingCertificate(leaf, [.. certificates.Skip(1)], ServingSource.Files, renewAt);
    }
}
