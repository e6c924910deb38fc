using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Pki.Certificates;
using Appliance.Pki.Export;
using Appliance.Pki.Files;

namespace Appliance.Pki.Authority;

public sealed partial class LocalCa
{
    /// <summary>
    /// Replaces the intermediate (new key, constraints for the names in <paramref name="options"/>) and issues a new
    /// leaf under it. Needs the root key: from the data folder in embedded mode, from
    /// <paramref name="offlineRootDir"/> in offline-root mode. Returns the reopened CA; this instance is stale.
    /// Clients need nothing: the root they trust is unchanged.
    /// </summary>
    public LocalCa RotateIntermediate(LocalCaOptions options, string? offlineRootDir)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        using var rootKey = ReadRootKey(offlineRootDir);
        var now = Time.GetUtcNow();
        WriteIntermediate(Root, rootKey, options, now);
        return ReopenWithNewLeaf(options);
    }

    /// <summary>
    /// Replaces the root and the intermediate. The old root signs a cross certificate for the new root, which is
    /// served after the intermediate, and stays in the exported trust bundle, until the overlap ends
    /// (<see cref="LocalCaOptions.RootOverlap"/>): clients that still trust only the old root keep working while
    /// the new root is distributed. In offline-root mode the new root key replaces the old one on the media and
    /// the old key is kept there as <c>retired-root-&lt;fingerprint&gt;.key</c> for the security officer to destroy.
    /// </summary>
    public LocalCa RotateRoot(LocalCaOptions options, string? offlineRootDir)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        using var oldRootKey = ReadRootKey(offlineRootDir);
        var now = Time.GetUtcNow();
        using var newRootKey = KeyPolicy.NewKey();
        using var newRoot = CertificateFactory.CreateRoot(newRootKey, "Appliance Root CA " + UniqueSuffix(now), now, options.RootLifetime);
        using var cross = CertificateFactory.CreateCrossCertificate(newRoot, Root, oldRootKey, now);

        var oldSha = CertificatePins.Sha256Hex(Root);
        var retired = new RetiredRoot(oldSha, now + options.RootOverlap);
        SecureFile.WriteCertificates(Directory.RetiredRoot(retired.FileName), [Root]);
        if (Mode == CaMode.Embedded)
        {
            SecureFile.WritePrivateKey(Directory.RootKey, newRootKey);
        }
        else
        {
            var media = offlineRootDir!;
            SecureFile.WritePrivateKey(Path.Combine(media, "retired-root-" + oldSha[..16] + ".key"), oldRootKey);
            SecureFile.WriteCertificates(Path.Combine(media, "retired-root-" + oldSha[..16] + ".crt"), [Root]);
            SecureFile.WritePrivateKey(CaDirectory.RootKeyIn(media), newRootKey);
            SecureFile.WriteCertificates(CaDirectory.RootCertificateIn(media), [newRoot]);
        }

        SecureFile.WriteCertificates(Directory.RootCertificate, [newRoot]);
        SecureFile.WriteCertificates(Directory.CrossCertificate, [cross]);
        WriteIntermediate(newRoot, newRootKey, options, now);

        var stillOverlapping = Manifest.RetiredRoots.Where(r => r.OverlapEnds > now).Append(retired).ToList();
        var bundle = new List<X509Certificate2> { newRoot };
        bundle.AddRange(stillOverlapping
            .Select(r => Directory.RetiredRoot(r.FileName))
            .Where(File.Exists)
            .Select(SecureFile.ReadCertificate));
        SecureFile.WriteCertificates(Directory.TrustBundle, bundle);
        SecureFile.WriteText(Directory.Manifest, (Manifest with { RetiredRoots = stillOverlapping }).Format());
        return ReopenWithNewLeaf(options);
    }

    /// <summary>Every root a client should trust now: the current root, then replaced roots still in their overlap.</summary>
    public IReadOnlyList<X509Certificate2> TrustedRoots()
    {
        var now = Time.GetUtcNow();
        var roots = new List<X509Certificate2> { X509CertificateLoader.LoadCertificate(Root.RawData) };
        foreach (var retired in Manifest.RetiredRoots.Where(r => r.OverlapEnds > now))
        {
            var path = Directory.RetiredRoot(retired.FileName);
            if (File.Exists(path))
            {
                roots.Add(SecureFile.ReadCertificate(path));
            }
        }

        return roots;
    }

    private ECDsa ReadRootKey(string? offlineRootDir)
    {
        if (Mode == CaMode.Embedded)
        {
            return ReadKeyFor(Root, Directory.RootKey);
        }

        if (offlineRootDir is null)
        {
            throw new CaException(
                CaErrorKind.RootKeyUnavailable,
                "This CA keeps its root key offline: mount the root media and pass --offline-root DIR.");
        }

        SecureFile.CheckPrivateFolder(offlineRootDir);
        return ReadKeyFor(Root, CaDirectory.RootKeyIn(offlineRootDir));
    }

    private void WriteIntermediate(X509Certificate2 root, ECDsa rootKey, LocalCaOptions options, DateTimeOffset now)
    {
        using var key = KeyPolicy.NewKey();
        using var intermediate = CertificateFactory.CreateIntermediate(
            key,
            "Appliance Intermediate CA " + UniqueSuffix(now),
            root,
            rootKey,
            NameConstraints.PermitOnly(options.DnsNames, options.IpAddresses),
            now,
            options.IntermediateLifetime);
        SecureFile.WritePrivateKey(Directory.IntermediateKey, key);
        SecureFile.WriteCertificates(Directory.IntermediateCertificate, [intermediate]);
    }

    private LocalCa ReopenWithNewLeaf(LocalCaOptions options)
    {
        var reopened = Open(Directory.DataDir, Time);
        try
        {
            using var leaf = reopened.IssueLeaf(options);
            return reopened;
        }
        catch
        {
            reopened.Dispose();
            throw;
        }
    }
}
