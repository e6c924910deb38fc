using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Pki.Certificates;

/// <summary>Checks that a private key belongs to a certificate, so a swapped or half-restored file is caught.</summary>
public static class KeyMatch
{
    public static void Require(X509Certificate2 certificate, ECDsa key, string keyPath)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(key);
        using var certificateKey = certificate.GetECDsaPublicKey();
        if (certificateKey is null ||
            !certificateKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            throw new CaException(
                CaErrorKind.CorruptFile,
                $"{keyPath} does not hold the private key of '{certificate.Subject}'. The files were mixed up or " +
                "partly restored; restore the pair from the same backup.");
        }
    }
}
