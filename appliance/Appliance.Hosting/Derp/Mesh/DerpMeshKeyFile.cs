using System.Text;
using Appliance.Derp.Mesh;
using Appliance.Protocol.Keys;

namespace Appliance.Hosting.Derp.Mesh;

/// <summary>
/// The DERP mesh key on disk (<c>derp.mesh_key_file</c>): one line of 64 hex characters, as derper's
/// <c>--mesh-psk-file</c>, mode 0600. Created on first start through a 0600 temporary file renamed without overwriting,
/// so the first instance makes it and the operator copies it to the others. A file that group or others may read, or
/// that does not parse, stops startup with the fix named, and is never replaced (a new key would split the mesh).
/// Errors are <see cref="PrivateKeyFileException"/>, as for the server's other key files.
/// </summary>
public static class DerpMeshKeyFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static DerpMeshKey LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            return Load(path);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var key = DerpMeshKey.Generate();
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
                stream.Write(Encoding.ASCII.GetBytes(key.Hex + "\n"));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: false);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it meanwhile: keep theirs.
            File.Delete(temporary);
            return Load(path);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public static DerpMeshKey Load(string path)
    {
        string text;
        try
        {
            var mode = OperatingSystem.IsWindows() ? OwnerOnly : File.GetUnixFileMode(path);
            if ((mode & GroupOrOther) != 0)
            {
                throw new PrivateKeyFileException(
                    $"the DERP mesh key {path} has mode 0{Convert.ToString((int)mode & 0x1FF, 8)}; it must be 0600 (owner read/write only). " +
                    $"If others could read it, make a new key for every instance. Otherwise fix it with: chmod 600 {path}");
            }

            text = File.ReadAllText(path, Encoding.ASCII);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PrivateKeyFileException($"cannot read the DERP mesh key {path}: {ex.Message}", ex);
        }

        if (!DerpMeshKey.TryParse(text, out var key))
        {
            throw new PrivateKeyFileException(
                $"the DERP mesh key {path} is corrupt: expected one line of 64 hex digits. Copy it again from another instance of the mesh.");
        }

        return key!;
    }
}
