using System.Text;

namespace Appliance.Protocol.Keys;

/// <summary>
/// The one way a server private key lives on disk (the Noise static key, the DERP server key): one line
/// <c>privkey:&lt;64 hex&gt;</c> (Tailscale's text form) in a file of mode 0600. Created on first start through a 0600
/// temporary file in the same folder, flushed to disk and renamed without overwriting (if another process won the
/// race, its key is loaded instead), so a crash leaves no key or a whole one. Loaded thereafter; a file that group or
/// others may read, that cannot be read, or that does not parse stops startup with a <see cref="PrivateKeyFileException"/>
/// naming the file and the fix, and is never replaced: a silently new key changes the server's identity.
/// </summary>
public static class PrivateKeyFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Loads the key at <paramref name="path"/>, creating it if the file does not exist.</summary>
    /// <param name="path">The key file.</param>
    /// <param name="role">What the key is, for error messages (such as "Noise server key").</param>
    /// <param name="ifCorrupt">The operator's way out of a corrupt file (restore from backup, or what deleting it costs).</param>
    public static TKey LoadOrCreate<TKey>(string path, string role, string ifCorrupt)
        where TKey : class, IPrivateKey<TKey>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            return Load<TKey>(path, role, ifCorrupt);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var key = X25519PrivateKey.Generate<TKey>();
        var temporary = Path.Combine(folder, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(key.ToSecretText() + "\n"));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: false);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created the key meanwhile: keep theirs.
            File.Delete(temporary);
            return Load<TKey>(path, role, ifCorrupt);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Loads an existing key file, refusing one that is exposed, unreadable or corrupt.</summary>
    public static TKey Load<TKey>(string path, string role, string ifCorrupt)
        where TKey : class, IPrivateKey<TKey>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            var mode = OperatingSystem.IsWindows() ? OwnerOnly : File.GetUnixFileMode(path);
            if ((mode & GroupOrOther) != 0)
            {
                throw new PrivateKeyFileException(
                    $"the {role} {path} has mode 0{Convert.ToString((int)mode & 0x1FF, 8)}; it must be 0600 (owner read/write only). If others could " +
                    $"read it, treat the key as exposed. Otherwise fix it with: chmod 600 {path}");
            }

            text = File.ReadAllText(path, Encoding.ASCII);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PrivateKeyFileException($"cannot read the {role} {path}: {ex.Message}", ex);
        }

        if (!X25519PrivateKey.TryParse<TKey>(text, out var key))
        {
            throw new PrivateKeyFileException(
                $"the {role} {path} is corrupt: expected one line 'privkey:' followed by 64 hex digits. {ifCorrupt}");
        }

        return key;
    }
}

/// <summary>A key file is unusable (exposed, unreadable or corrupt); the appliance must not start, and must not replace it.</summary>
public sealed class PrivateKeyFileException : Exception
{
    public PrivateKeyFileException()
    {
    }

    public PrivateKeyFileException(string message)
        : base(message)
    {
    }

    public PrivateKeyFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
