using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Pki.Clients;

/// <summary>
/// A site's own CA for client certificates (smart cards; identity.client_ca_files) and its revocation lists
/// (identity.client_crl_files), loaded once and never changed: a reload builds a new instance. The CA files hold the
/// site's root(s), which are the trust anchors, and optionally its issuing CAs; a CRL must be signed by one of those
/// certificates. Revocation is checked offline against these files only (nothing is downloaded).
/// </summary>
public sealed class SiteClientTrust : IDisposable
{
    private readonly IReadOnlyList<SiteRevocationList> _crls;

    private SiteClientTrust(IReadOnlyList<X509Certificate2> anchors, IReadOnlyList<X509Certificate2> intermediates, IReadOnlyList<SiteRevocationList> crls, bool requireCrl)
    {
        Anchors = anchors;
        Intermediates = intermediates;
        _crls = crls;
        RequireCrl = requireCrl;
    }

    /// <summary>The self-signed site roots.</summary>
    public IReadOnlyList<X509Certificate2> Anchors { get; }

    /// <summary>The site's issuing CAs given beside the roots (a smart card usually presents only its own certificate).</summary>
    public IReadOnlyList<X509Certificate2> Intermediates { get; }

    /// <summary>Every site CA certificate: what the TLS listener names as acceptable issuers.</summary>
    public IEnumerable<X509Certificate2> Certificates => Anchors.Concat(Intermediates);

    /// <summary>CRL files are configured, so the CA that issued a certificate must have a current CRL among them.</summary>
    public bool RequireCrl { get; }

    /// <summary>
    /// Reads the CA files (PEM, CA certificates only, at least one self-signed root) and the CRL files (PEM or DER,
    /// each signed by one of those CAs). Throws <see cref="CaException"/> naming the file and the problem.
    /// </summary>
    public static SiteClientTrust Load(IReadOnlyList<string> caFiles, IReadOnlyList<string> crlFiles)
    {
        ArgumentNullException.ThrowIfNull(caFiles);
        ArgumentNullException.ThrowIfNull(crlFiles);
        var all = new List<X509Certificate2>();
        try
        {
            foreach (var file in caFiles)
            {
                var certificates = ReadCaFile(file);
                all.AddRange(certificates);
                foreach (var certificate in certificates)
                {
                    if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
                    {
                        throw new CaException(CaErrorKind.InvalidRequest, $"{file}: {certificate.Subject} is not a CA certificate (basicConstraints cA is not set); list only the site's CA certificates.");
                    }
                }
            }

            var anchors = all.Where(IsSelfSigned).ToList();
            if (all.Count > 0 && anchors.Count == 0)
            {
                throw new CaException(CaErrorKind.InvalidRequest, $"{string.Join(", ", caFiles)}: no self-signed root certificate; add the site's root CA (issuing CAs may follow it).");
            }

            var crls = new List<SiteRevocationList>();
            foreach (var file in crlFiles)
            {
                foreach (var crl in SiteRevocationList.ReadFile(file))
                {
                    if (!all.Any(crl.IsSignedBy))
                    {
                        throw new CaException(CaErrorKind.InvalidRequest, $"{file}: the revocation list of {crl.Issuer.Name} is not signed by a certificate in identity.client_ca_files.");
                    }

                    crls.Add(crl);
                }
            }

            return new SiteClientTrust(anchors, all.Except(anchors).ToList(), crls, crlFiles.Count > 0);
        }
        catch
        {
            foreach (var certificate in all)
            {
                certificate.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Whether <paramref name="certificate"/> chains to a site root at <paramref name="at"/> and is not revoked: null
    /// when it does not chain (the caller reports the wrong authority), otherwise Accepted, Revoked or
    /// RevocationUnknown. Dates and key usages of the leaf are the caller's checks.
    /// </summary>
    public ClientCertificateVerdict? Check(X509Certificate2 certificate, DateTime at)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = at;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.CustomTrustStore.AddRange(Anchors.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(Intermediates.ToArray());
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(Appliance.Pki.Certificates.CertificateFactory.ClientAuthOid));
        try
        {
            if (!chain.Build(certificate))
            {
                return null;
            }

            var elements = chain.ChainElements.Select(e => e.Certificate).ToList();
            for (var i = 0; i < elements.Count - 1; i++)
            {
                var crl = _crls.Where(c => c.IsSignedBy(elements[i + 1])).MaxBy(c => c.ThisUpdate);
                if (crl is null)
                {
                    // The certificate's own issuer must have a list when lists are configured; a CA above it is
                    // checked only when the site gave its parent's list.
                    if (i == 0 && RequireCrl)
                    {
                        return ClientCertificateVerdict.RevocationUnknown;
                    }

                    continue;
                }

                if (crl.NextUpdate is { } next && at > next.UtcDateTime)
                {
                    return ClientCertificateVerdict.RevocationUnknown;
                }

                if (crl.Contains(elements[i]))
                {
                    return ClientCertificateVerdict.Revoked;
                }
            }

            return ClientCertificateVerdict.Accepted;
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var certificate in Certificates)
        {
            certificate.Dispose();
        }
    }

    private static List<X509Certificate2> ReadCaFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new CaException(CaErrorKind.MissingFile, $"{path}: no such file (identity.client_ca_files).");
        }

        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (CryptographicException e)
        {
            throw new CaException(CaErrorKind.CorruptFile, $"{path} is not a readable PEM certificate file ({e.Message}).", e);
        }

        return collection.Count > 0 ? [.. collection] : throw new CaException(CaErrorKind.CorruptFile, $"{path} holds no PEM certificate.");
    }

    private static bool IsSelfSigned(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);
}
