using System.Text;
using Appliance.Protocol.Keys;

namespace Appliance.Control.Noise;

/// <summary>
/// The server's Noise static key on disk: <c>&lt;data&gt;/noise_private.key</c>, text <c>privkey:&lt;64 hex&gt;</c>, mode 0600.
/// Generated on first start and loaded thereafter. A corrupt file or one readable by others is a startup error,
/// never a silent regeneration: a new key would make every registered client distrust the server
/// (the client pins the key it fetched from /key for the connection).
/// </summary>
public static class NoiseServerKeyFile
{
    public const string FileName = "noise_private.key";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Loads the key at <paramref name="path"/>, creating it (0600, atomically) if the file does not exist.</summary>
    public static MachinePrivate LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            return Load(path);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var key = MachinePrivate.Generate();
        var temp = path + ".tmp-" + Environment.ProcessId;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using (var stream = new FileStream(temp, options))
        {
            stream.Write(Encoding.ASCII.GetBytes(key.ToSecretText() + "\n"));
            stream.Flush(flushToDisk: true);
        }

        try
        {
            // No overwrite: if another process created the key meanwhile, keep theirs and load it.
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
            return Load(path);
        }

        return key;
    }

    public static MachinePrivate Load(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & ~OwnerOnly & (UnixFileMode)0x1FF) != 0)
            {
                throw new NoiseServerKeyException($"the Noise server key {path} has mode {Convert.ToString((int)mode & 0x1FF, 8)}; it must be 0600 (owner read/write only). Fix it with: chmod 600 {path}");
            }
        }

        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.ASCII);
        }
        catch (IOException ex)
        {
            throw new NoiseServerKeyException($"cannot read the Noise server key {path}: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new NoiseServerKeyException($"cannot read the Noise server key {path}: {ex.Message}", ex);
        }

        if (!MachinePrivate.TryParse(text.Trim(), out var key) || key is null)
        {
            throw new NoiseServerKeyException($"the Noise server key {path} is corrupt: expected 'privkey:' followed by 64 hex digits. Restore it from backup; deleting it makes every client re-trust a new server key.");
        }

        return key;
    }
}

/// <summary>The server key file is unusable; the appliance must not start (and must not replace it).</summary>
public sealed class NoiseServerKeyException : Exception
{
    public NoiseServerKeyException()
    {
    }

    public NoiseServerKeyException(string message)
        : base(message)
    {
    }

    public NoiseServerKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
