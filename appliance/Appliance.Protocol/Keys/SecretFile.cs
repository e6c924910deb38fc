using System.Text;

namespace Appliance.Protocol.Keys;

/// <summary>
/// The one way a server secret lives on disk (the Noise static key, the DERP server key, the DERP mesh key): one line
/// of text in a file of mode 0600. Created on first start through a 0600 temporary file in the same folder, flushed to
/// disk and renamed without overwriting (if another process won the race, its secret is loaded instead), so a crash
/// leaves no file or a whole one. Loaded thereafter; a file that group or others may read, that cannot be read, or
/// that does not parse stops startup with a <see cref="PrivateKeyFileException"/> naming the file and the fix, and is
/// never replaced: a silently new secret changes the server's identity (or splits a mesh).
/// </summary>
public static class SecretFile
{
    /// <summary>Reads a secret's one line of text; false when it does not parse.</summary>
    public delegate bool TryParseText<T>(string text, out T? value)
        where T : class;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>What a secret file holds and what to tell the operator when it is unusable.</summary>
    /// <param name="Role">What the secret is, for messages (such as "Noise server key").</param>
    /// <param name="Expected">The text form, for the corrupt-file message.</param>
    /// <param name="IfExposed">The operator's way out when others could read it.</param>
    /// <param name="IfCorrupt">The operator's way out of a corrupt file.</param>
    public sealed record Kind<T>(string Role, string Expected, string IfExposed, string IfCorrupt, Func<T> Generate, Func<T, string> ToText, TryParseText<T> Parse)
        where T : class;

    /// <summary>Loads the secret at <paramref name="path"/>, creating it if the file does not exist.</summary>
    public static T LoadOrCreate<T>(string path, Kind<T> kind)
        where T : class
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(kind);
        if (File.Exists(path))
        {
            return Load(path, kind);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var secret = kind.Generate();
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
                stream.Write(Encoding.ASCII.GetBytes(kind.ToText(secret) + "\n"));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: false);
            return secret;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it meanwhile: keep theirs.
            File.Delete(temporary);
            return Load(path, kind);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Loads an existing secret file, refusing one that is exposed, unreadable or corrupt.</summary>
    public static T Load<T>(string path, Kind<T> kind)
        where T : class
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(kind);
        string text;
        try
        {
            var mode = OperatingSystem.IsWindows() ? OwnerOnly : File.GetUnixFileMode(path);
            if ((mode & GroupOrOther) != 0)
            {
                throw new PrivateKeyFileException(
                    $"the {kind.Role} {path} has mode 0{Convert.ToString((int)mode & 0x1FF, 8)}; it must be 0600 (owner read/write only). " +
                    $"If others could read it, {kind.IfExposed} Otherwise fix it with: chmod 600 {path}");
            }

            text = File.ReadAllText(path, Encoding.ASCII);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PrivateKeyFileException($"cannot read the {kind.Role} {path}: {ex.Message}", ex);
        }

        if (!kind.Parse(text, out var secret) || secret is null)
        {
            throw new PrivateKeyFileException($"the {kind.Role} {path} is corrupt: expected {kind.Expected}. {kind.IfCorrupt}");
        }

        return secret;
    }
}
