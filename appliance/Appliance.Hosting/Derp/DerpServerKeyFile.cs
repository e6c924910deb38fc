using Appliance.Protocol.Keys;

namespace Appliance.Hosting.Derp;

/// <summary>
/// The DERP server's private key, one line <c>privkey:&lt;64 hex&gt;</c> in <c>&lt;data&gt;/derp_server.key</c>, mode 0600.
/// Generated once on first start; clients learn the public half from the ServerKey frame on every connection, so a
/// new key only costs reconnects, but it is kept so that the server identity is stable. A file that does not parse
/// stops startup with a clear error rather than being silently replaced.
/// </summary>
public static class DerpServerKeyFile
{
    public const string FileName = "derp_server.key";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static NodePrivate LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            return Load(path);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var key = NodePrivate.Generate();
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(key.ToSecretText());
            writer.Write('\n');
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: false);
        return key;
    }

    private static NodePrivate Load(string path)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
        {
            // Someone loosened it (a copy or restore); a private key stays owner-only.
            File.SetUnixFileMode(path, OwnerOnly);
        }

        var text = File.ReadAllText(path);
        if (!NodePrivate.TryParse(text, out var key) || key is null)
        {
            throw new InvalidDataException(
                $"DERP server key file '{path}' is corrupt: expected one line 'privkey:' followed by 64 hex digits. " +
                "Restore it from a backup, or delete it to generate a new key (DERP clients reconnect on their own).");
        }

        return key;
    }
}
