using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Pki.Certificates;
using Appliance.Pki.Files;

namespace Appliance.Pki.Authority;

/// <summary>
/// The appliance's certificate authority. Trust model (docs/design/pki.md): clients trust the root; the root signs
/// one intermediate (pathLen 0, name-constrained to the appliance's names and addresses); the intermediate signs
/// short-lived leaf certificates that Kestrel serves. In offline-root mode the root key never touches the
/// appliance, so a compromised appliance can at worst mint certificates for its own names until the intermediate
/// is replaced. Keys are never regenerated implicitly: a missing or damaged key is an error, not a reason to start
/// over, because a new root silently breaks every client that trusts the old one.
/// </summary>
public sealed partial class LocalCa : IDisposable
{
    private readonly ECDsa _intermediateKey;

    private LocalCa(CaDirectory directory, TimeProvider time, CaManifest manifest, X509Certificate2 root,
        X509Certificate2 intermediate, ECDsa intermediateKey, X509Certificate2? cross)
    {
        Directory = directory;
        Time = time;
        Manifest = manifest;
        Root = root;
        Intermediate = intermediate;
        _intermediateKey = intermediateKey;
        Cross = cross;
        Constraints = NameConstraints.FromCertificate(intermediate);
    }

    public CaDirectory Directory { get; }

    public TimeProvider Time { get; }

    public CaManifest Manifest { get; }

    public CaMode Mode => Manifest.Mode;

    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    /// <summary>The new root signed by the previous one, present during a root overlap.</summary>
    public X509Certificate2? Cross { get; }

    /// <summary>The intermediate's name constraints (null only for an intermediate made by other tools).</summary>
    public NameConstraints? Constraints { get; }

    /// <summary>True when <paramref name="dataDir"/> holds a CA manifest.</summary>
    public static bool IsInitialised(string dataDir) => new CaDirectory(dataDir).IsInitialised;

    /// <summary>
    /// For <c>serve</c> and the installer: opens the CA, or creates an embedded-mode CA when the <c>ca</c> folder is
    /// absent or empty. A folder with files but no manifest is an interrupted or damaged CA and is refused.
    /// </summary>
    public static LocalCa EnsureInitialised(string dataDir, LocalCaOptions options, TimeProvider time)
    {
        var directory = new CaDirectory(dataDir);
        return directory.IsEmpty ? Initialise(dataDir, options, time) : Open(dataDir, time);
    }

    /// <summary>Opens an existing CA, checking every file it needs. Throws <see cref="CaException"/> on any problem.</summary>
    public static LocalCa Open(string dataDir, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var directory = new CaDirectory(dataDir);
        if (!directory.IsInitialised)
        {
            throw directory.IsEmpty
                ? new CaException(CaErrorKind.NotInitialised, $"No CA in {directory.Folder}. Run 'appliance ca init' (or start 'appliance serve', which creates one).")
                : new CaException(CaErrorKind.MissingFile, $"{directory.Folder} holds files but no manifest: an interrupted 'ca init' or an incomplete restore. Restore the folder from backup, or move it aside and run 'appliance ca init'.");
        }

        SecureFile.CheckPrivateFolder(directory.Folder);
        var manifest = CaManifest.Read(directory.Manifest);
        var root = SecureFile.ReadCertificate(directory.RootCertificate);
        if (manifest.Mode == CaMode.Embedded)
        {
            using var rootKey = ReadKeyFor(root, directory.RootKey);
        }
        else if (File.Exists(directory.RootKey))
        {
            throw new CaException(
                CaErrorKind.InsecurePermissions,
                $"{directory.RootKey} exists but this CA keeps its root offline. Move the file back to the offline media and wipe this copy.");
        }

        var intermediate = SecureFile.ReadCertificate(directory.IntermediateCertificate);
        var intermediateKey = ReadKeyFor(intermediate, directory.IntermediateKey);
        if (!intermediate.IssuerName.RawData.AsSpan().SequenceEqual(root.SubjectName.RawData))
        {
            intermediateKey.Dispose();
            throw new CaException(CaErrorKind.CorruptFile, $"{directory.IntermediateCertificate} was not issued by the root in {directory.RootCertificate}.");
        }

        var cross = File.Exists(directory.CrossCertificate) ? SecureFile.ReadCertificate(directory.CrossCertificate) : null;
        return new LocalCa(directory, time, manifest, root, intermediate, intermediateKey, cross);
    }

    public void Dispose()
    {
        _intermediateKey.Dispose();
        Root.Dispose();
        Intermediate.Dispose();
        Cross?.Dispose();
    }

    internal static ECDsa ReadKeyFor(X509Certificate2 certificate, string keyPath)
    {
        var key = SecureFile.ReadPrivateKey(keyPath);
        try
        {
            KeyPolicy.RequireP256(key, keyPath);
            KeyMatch.Require(certificate, key, keyPath);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static string UniqueSuffix(DateTimeOffset now) =>
        now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + " " +
        Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
}
