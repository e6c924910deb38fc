using System.Security.Cryptography.X509Certificates;
using Appliance.Pki.Export;
using Appliance.Pki.Health;

namespace Appliance.Pki.Authority;

public sealed partial class LocalCa
{
    /// <summary>Root(s), cross certificate, intermediate and stored leaf with fingerprints and dates.</summary>
    public CaStatus Status(double renewAt = 0.66)
    {
        var certificates = new List<CertificateInfo>();
        var roots = TrustedRoots();
        certificates.Add(CertificateInfo.Of(CertificateRole.Root, roots[0]));
        certificates.AddRange(roots.Skip(1).Select(r => CertificateInfo.Of(CertificateRole.RetiredRoot, r)));
        if (Cross is not null && Manifest.RetiredRoots.Any(r => r.OverlapEnds > Time.GetUtcNow()))
        {
            certificates.Add(CertificateInfo.Of(CertificateRole.CrossCertificate, Cross));
        }

        certificates.Add(CertificateInfo.Of(CertificateRole.Intermediate, Intermediate));
        using var leaf = LoadLeaf(renewAt);
        if (leaf is not null)
        {
            certificates.Add(CertificateInfo.Of(CertificateRole.Leaf, leaf.Leaf));
        }

        foreach (var root in roots)
        {
            root.Dispose();
        }

        return new CaStatus(Mode, Directory.Folder, certificates, leaf?.Pin);
    }
}

/// <summary>What <c>appliance ca status</c> prints.</summary>
public sealed record CaStatus(CaMode Mode, string Folder, IReadOnlyList<CertificateInfo> Certificates, string? DerpPin);

/// <summary>One certificate's identity and dates.</summary>
public sealed record CertificateInfo(
    CertificateRole Role,
    string Subject,
    string SerialNumber,
    string Sha256,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter)
{
    public static CertificateInfo Of(CertificateRole role, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new CertificateInfo(
            role,
            certificate.Subject,
            certificate.SerialNumber.ToLowerInvariant(),
            CertificatePins.Sha256Hex(certificate),
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero));
    }
}
