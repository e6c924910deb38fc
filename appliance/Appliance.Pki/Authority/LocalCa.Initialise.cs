using Appliance.Pki.Certificates;
using Appliance.Pki.Files;

namespace Appliance.Pki.Authority;

public sealed partial class LocalCa
{
    /// <summary>
    /// <c>ca init</c>: creates the root and the intermediate. With <paramref name="offlineRootDir"/> the root key is
    /// written only there (with a copy of the root certificate); otherwise it goes to <c>&lt;data&gt;/ca/root.key</c>.
    /// Refuses a data folder that already holds CA files, and an offline folder that already holds a root key.
    /// The manifest is written last, so an interrupted init is detected rather than half-used.
    /// </summary>
    public static LocalCa Initialise(string dataDir, LocalCaOptions options, TimeProvider time, string? offlineRootDir = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.ThrowIfInvalid();
        var directory = new CaDirectory(dataDir);
        if (!directory.IsEmpty)
        {
            throw new CaException(CaErrorKind.AlreadyInitialised, $"{directory.Folder} already holds a CA. Use 'appliance ca rotate' to replace keys; never delete the folder on a running site, every client trusts it.");
        }

        if (offlineRootDir is not null && File.Exists(CaDirectory.RootKeyIn(offlineRootDir)))
        {
            throw new CaException(CaErrorKind.AlreadyInitialised, $"{CaDirectory.RootKeyIn(offlineRootDir)} already exists; use empty media for a new root.");
        }

        System.IO.Directory.CreateDirectory(directory.DataDir);
        SecureFile.EnsurePrivateFolder(directory.Folder);
        var now = time.GetUtcNow();
        using var rootKey = KeyPolicy.NewKey();
        using var root = CertificateFactory.CreateRoot(rootKey, "Appliance Root CA " + UniqueSuffix(now), now, options.RootLifetime);
        using var intermediateKey = KeyPolicy.NewKey();
        using var intermediate = CertificateFactory.CreateIntermediate(
            intermediateKey,
            "Appliance Intermediate CA " + UniqueSuffix(now),
            root,
            rootKey,
            NameConstraints.PermitOnly(options.DnsNames, options.IpAddresses),
            now,
            options.IntermediateLifetime);

        if (offlineRootDir is null)
        {
            SecureFile.WritePrivateKey(directory.RootKey, rootKey);
        }
        else
        {
            SecureFile.EnsurePrivateFolder(offlineRootDir);
            SecureFile.WritePrivateKey(CaDirectory.RootKeyIn(offlineRootDir), rootKey);
            SecureFile.WriteCertificates(CaDirectory.RootCertificateIn(offlineRootDir), [root]);
        }

        SecureFile.WriteCertificates(directory.RootCertificate, [root]);
        SecureFile.WriteCertificates(directory.TrustBundle, [root]);
        SecureFile.WritePrivateKey(directory.IntermediateKey, intermediateKey);
        SecureFile.WriteCertificates(directory.IntermediateCertificate, [intermediate]);
        var mode = offlineRootDir is null ? CaMode.Embedded : CaMode.OfflineRoot;
        SecureFile.WriteText(directory.Manifest, new CaManifest(mode, now, []).Format());
        return Open(dataDir, time);
    }
}
