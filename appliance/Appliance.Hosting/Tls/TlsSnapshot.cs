using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Appliance.Pki.Health;
using Appliance.Pki.Authority;
using Appliance.Pki.Serving;

namespace Appliance.Hosting.Tls;

/// <summary>
/// What the handshake callback reads: one served certificate with its two prepared certificate contexts. Swapped
/// whole by <see cref="TlsCertificateStore"/>; never mutated, so handshakes read it without a lock. A replaced
/// snapshot is not disposed: handshakes in flight may still hold it, and connections already established keep
/// their own copy inside SslStream.
/// </summary>
public sealed class TlsSnapshot
{
    /// <param name="certificate">What is served.</param>
    /// <param name="acceptableIssuers">When client certificates are asked for: the CAs named in the CertificateRequest
    /// (RFC 8446 §4.2.4 certificate_authorities; .NET sends them on Linux since .NET 7), so a browser offers only
    /// certificates from the local or the site CA.</param>
    public TlsSnapshot(ServingCertificate certificate, X509Certificate2Collection? acceptableIssuers = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Certificate = certificate;
        var trust = acceptableIssuers is { Count: > 0 } ? SslCertificateTrust.CreateForX509Collection(acceptableIssuers, sendTrustInHandshake: true) : null;
        FullChain = SslStreamCertificateContext.Create(certificate.Leaf, new X509Certificate2Collection(certificate.Chain.ToArray()), offline: true, trust);
        LeafOnly = SslStreamCertificateContext.Create(certificate.Leaf, [], offline: true, trust);
        IssuersKey = acceptableIssuers is null ? "" : string.Join(',', acceptableIssuers.Select(c => c.Thumbprint));
        Certificates = [CertificateInfo.Of(CertificateRole.Leaf, certificate.Leaf), .. certificate.Chain.Select(ChainInfo)];
    }

    public ServingCertificate Certificate { get; }

    /// <summary>Thumbprints of the acceptable client-certificate issuers; a change means a new snapshot.</summary>
    public string IssuersKey { get; }

    /// <summary>Leaf followed by <see cref="ServingCertificate.Chain"/>.</summary>
    public SslStreamCertificateContext FullChain { get; }

    /// <summary>The leaf alone (for <c>sha256-raw:</c> pinned DERP clients).</summary>
    public SslStreamCertificateContext LeafOnly { get; }

    /// <summary>Leaf and chain certificates, for health.</summary>
    public IReadOnlyList<CertificateInfo> Certificates { get; }

    /// <summary>The DERP <c>CertName</c> pin of the served leaf.</summary>
    public string Pin => Certificate.Pin;

    public SslStreamCertificateContext Select(ChainPresentation presentation, string? serverName) => presentation switch
    {
        ChainPresentation.LeafOnly => LeafOnly,
        ChainPresentation.LeafOnlyWithoutSni when string.IsNullOrEmpty(serverName) => LeafOnly,
        _ => FullChain,
    };

    private static CertificateInfo ChainInfo(X509Certificate2 certificate) =>
        CertificateInfo.Of(certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData)
            ? CertificateRole.Root
            : CertificateRole.Intermediate, certificate);
}
