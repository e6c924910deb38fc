using System.Security.Cryptography.X509Certificates;
using Appliance.Pki.Certificates;
using Appliance.Pki.Files;

namespace Appliance.Pki.Clients;

/// <summary>Why a presented client certificate was accepted or not (<see cref="ClientCertificateVerifier"/>).</summary>
public enum ClientCertificateVerdict
{
    Accepted = 0,

    /// <summary>It does not chain to a root the appliance trusts (another CA, self-signed, or an intermediate since rotated away).</summary>
    WrongAuthority = 1,

    Expired = 2,

    NotYetValid = 3,

    /// <summary>Its serial is in <c>ca/revoked</c>.</summary>
    Revoked = 4,

    /// <summary>It lacks key usage digitalSignature or extended key usage clientAuth, or is a CA certificate.</summary>
    NotForClientAuthentication = 5,

    /// <summary>A site certificate whose issuer has no current revocation list in identity.client_crl_files (missing, or past its nextUpdate).</summary>
    RevocationUnknown = 6,
}

/// <summary>
/// Checks a certificate a browser presented against the local CA's public files (no private key is read, so the
/// service can check on every login): the leaf's dates, its key usages (digitalSignature, EKU clientAuth, not a
/// CA), a chain to a root in <c>trust-bundle.pem</c> through <c>intermediate.crt</c> (and <c>cross.crt</c>) at the
/// given time, and the revocation list <c>ca/revoked</c>, read anew each time so a revocation counts at once.
/// Possession of the private key was proven by the TLS handshake (CertificateVerify), not here. With a
/// <see cref="SiteClientTrust"/> (identity.client_ca_files) a certificate that does not chain to the local CA may
/// chain to the site's CA instead; its revocation is then checked against the site's CRL files.
/// </summary>
public static class ClientCertificateVerifier
{
    /// <summary>Against the local CA only.</summary>
    public static ClientCertificateVerdict Verify(string dataDir, X509Certificate2 certificate, DateTimeOffset now) =>
        Verify(dataDir, site: null, certificate, now);

    /// <summary>Against the local CA, then (when given) the site CA.</summary>
    public static ClientCertificateVerdict Verify(string dataDir, SiteClientTrust? site, X509Certificate2 certificate, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var directory = new CaDirectory(dataDir);
        var at = now.UtcDateTime;
        if (at < certificate.NotBefore.ToUniversalTime())
        {
            return ClientCertificateVerdict.NotYetValid;
        }

        if (at > certificate.NotAfter.ToUniversalTime())
        {
            return ClientCertificateVerdict.Expired;
        }

        if (!IsForClientAuthentication(certificate))
        {
            return ClientCertificateVerdict.NotForClientAuthentication;
        }

        if (!ChainsToTrustedRoot(directory, certificate, at))
        {
            return site?.Check(certificate, at) ?? ClientCertificateVerdict.WrongAuthority;
        }

        return RevocationList.Read(directory.Revoked).Contains(certificate.SerialNumber.ToLowerInvariant())
            ? ClientCertificateVerdict.Revoked
            : ClientCertificateVerdict.Accepted;
    }

    private static bool IsForClientAuthentication(X509Certificate2 certificate)
    {
        if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true })
        {
            return false;
        }

        if (certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is { } usage &&
            !usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature))
        {
            return false;
        }

        // RFC 5280 §4.2.1.12: without the extension any purpose is allowed; the CA always sets it, site CAs should.
        return certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is not { } purposes ||
            purposes.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(o => o.Value == CertificateFactory.ClientAuthOid);
    }

    private static bool ChainsToTrustedRoot(CaDirectory directory, X509Certificate2 certificate, DateTime at)
    {
        if (!File.Exists(directory.TrustBundle) || !File.Exists(directory.IntermediateCertificate))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = at;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        var loaded = new List<X509Certificate2>();
        try
        {
            loaded.AddRange(SecureFile.ReadCertificates(directory.TrustBundle));
            chain.ChainPolicy.CustomTrustStore.AddRange(loaded.ToArray());
            var extra = SecureFile.ReadCertificates(directory.IntermediateCertificate).ToList();
            if (File.Exists(directory.CrossCertificate))
            {
                extra.AddRange(SecureFile.ReadCertificates(directory.CrossCertificate));
            }

            loaded.AddRange(extra);
            chain.ChainPolicy.ExtraStore.AddRange(extra.ToArray());
            chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(CertificateFactory.ClientAuthOid));
            return chain.Build(certificate);
        }
        finally
        {
            foreach (var c in loaded)
            {
                c.Dispose();
            }

            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }
    }
}
