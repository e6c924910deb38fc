namespace Appliance.Pki.Files;

/// <summary>
/// The CA's files inside the data folder (<c>&lt;data&gt;/ca/</c>, mode 0700; keys 0600):
/// <code>
/// manifest             key=value lines: mode (embedded | offline-root), created, retired roots and overlap ends
/// root.crt             the current root certificate (public; always present)
/// root.key             the root private key: embedded mode only, never in offline-root mode
/// intermediate.crt     the signing intermediate (pathLen 0, name-constrained)
/// intermediate.key
/// cross.crt            during a root overlap: the new root signed by the old one, served after the intermediate
/// leaf.pem             the served leaf: private key and certificate in one file, so one rename replaces both
/// trust-bundle.pem     every root a client should trust now (current root + roots still in their overlap)
/// revoked              one line per revoked certificate (leaf or client): serial (hex) and revocation time
/// clients              one line per client certificate issued to a person: serial, login, not-after
/// </code>
/// An offline-root folder (a USB stick) holds <c>root.crt</c> and <c>root.key</c> only.
/// </summary>
public sealed class CaDirectory
{
    public CaDirectory(string dataDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        DataDir = Path.GetFullPath(dataDir);
        Folder = Path.Combine(DataDir, "ca");
    }

    public string DataDir { get; }

    /// <summary>The <c>ca</c> folder.</summary>
    public string Folder { get; }

    public string Manifest => In("manifest");

    public string RootCertificate => In("root.crt");

    public string RootKey => In("root.key");

    public string IntermediateCertificate => In("intermediate.crt");

    public string IntermediateKey => In("intermediate.key");

    public string CrossCertificate => In("cross.crt");

    public string Leaf => In("leaf.pem");

    public string TrustBundle => In("trust-bundle.pem");

    public string Revoked => In("revoked");

    public string Clients => In("clients");

    /// <summary>True when the folder holds a manifest (the last file <c>ca init</c> writes).</summary>
    public bool IsInitialised => File.Exists(Manifest);

    /// <summary>True when the folder is absent or empty, so initialising cannot overwrite anything.</summary>
    public bool IsEmpty => !Directory.Exists(Folder) || !Directory.EnumerateFileSystemEntries(Folder).Any();

    public static string RootCertificateIn(string offlineRootDir) => Path.Combine(offlineRootDir, "root.crt");

    public static string RootKeyIn(string offlineRootDir) => Path.Combine(offlineRootDir, "root.key");

    public string RetiredRoot(string fileName) => In(fileName);

    private string In(string name) => Path.Combine(Folder, name);
}
