using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Appliance.Pki.Files;

/// <summary>
/// Reads and writes the CA's files. Private keys are PKCS#8 PEM in files created 0600 inside a 0700 folder;
/// every write goes to a temporary file in the same folder and is renamed over the target, so a crash leaves the
/// old file or the new one, never half of one. Reads check permissions first: a key that group or others can read
/// is refused rather than used, because it may already have leaked.
/// </summary>
public static class SecureFile
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="path"/> (and parents) with mode 0700 if absent; checks it if present.</summary>
    public static void EnsurePrivateFolder(string path)
    {
        if (!Directory.Exists(path))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
            }
            else
            {
                Directory.CreateDirectory(path, OwnerOnlyFolder);
            }

            return;
        }

        CheckPrivateFolder(path);
    }

    /// <summary>Refuses a folder that group or others may enter, list or write.</summary>
    public static void CheckPrivateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOther) != 0)
        {
            throw new CaException(
                CaErrorKind.InsecurePermissions,
                $"{path} has mode {FormatMode(mode)}; the CA folder must be 0700 (owner only). " +
                $"Check nobody copied the keys, then run: chmod 700 '{path}'");
        }
    }

    public static void WritePrivateKey(string path, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var pem = key.ExportPkcs8PrivateKeyPem();
        WriteAtomically(path, Encoding.ASCII.GetBytes(pem + "\n"));
    }

    public static void WriteCertificates(string path, IEnumerable<X509Certificate2> certificates)
    {
        var text = new StringBuilder();
        foreach (var certificate in certificates)
        {
            text.Append(certificate.ExportCertificatePem()).Append('\n');
        }

        WriteAtomically(path, Encoding.ASCII.GetBytes(text.ToString()));
    }

    public static void WriteText(string path, string text) => WriteAtomically(path, Encoding.UTF8.GetBytes(text));

    /// <summary>Writes via a 0600 temporary file renamed over <paramref name="path"/>.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(folder, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Reads a PKCS#8 (or SEC1) PEM private key, refusing it if missing, corrupt or exposed.</summary>
    public static ECDsa ReadPrivateKey(string path)
    {
        RequireExists(path, "private key");
        CheckPrivateFile(path);
        var text = File.ReadAllText(path);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(text);
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new CaException(
                CaErrorKind.CorruptFile,
                $"{path} is not a readable ECDSA private key ({e.Message}). Restore it from backup; the CA does not " +
                "regenerate keys, because every client trusts the existing ones.",
                e);
        }
    }

    /// <summary>Reads every certificate in a PEM file (at least one).</summary>
    public static IReadOnlyList<X509Certificate2> ReadCertificates(string path)
    {
        RequireExists(path, "certificate");
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (CryptographicException e)
        {
            throw new CaException(CaErrorKind.CorruptFile, $"{path} is not a readable PEM certificate file ({e.Message}).", e);
        }

        if (collection.Count == 0)
        {
            throw new CaException(CaErrorKind.CorruptFile, $"{path} holds no PEM certificate.");
        }

        return [.. collection];
    }

    public static X509Certificate2 ReadCertificate(string path) => ReadCertificates(path)[0];

    /// <summary>Refuses a key file that group or others can read or write.</summary>
    public static void CheckPrivateFile(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOther) != 0)
        {
            throw new CaException(
                CaErrorKind.InsecurePermissions,
                $"{path} has mode {FormatMode(mode)}; private keys must be 0600 (owner only). The key may have been " +
                $"exposed: if others could read it, rotate it. Otherwise run: chmod 600 '{path}'");
        }
    }

    public static void RequireExists(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new CaException(
                CaErrorKind.MissingFile,
                $"The {what} file {path} is missing. Restore the data folder from backup; the CA does not silently " +
                "create a new one, because that would break every client's trust.");
        }
    }

    private static string FormatMode(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);
}
