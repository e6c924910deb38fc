namespace Appliance.Storage.Files;

/// <summary>
/// Owner-only folders (0700) and files (0600) for everything holding state or secrets: the database, its
/// backups, keys. Modes are set at creation time so a file is never readable by others, even for an instant.
/// On Windows (development only) the modes do not apply and these calls only create.
/// </summary>
public static class SecureFiles
{
    public const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder 0700 if missing, and tightens an existing one to 0700.</summary>
    public static void EnsureDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, OwnerOnlyDirectory);
        if (File.GetUnixFileMode(path) != OwnerOnlyDirectory)
        {
            File.SetUnixFileMode(path, OwnerOnlyDirectory);
        }
    }

    /// <summary>Opens a file 0600 with the given mode; a file that already exists is tightened to 0600.</summary>
    public static FileStream Open(string path, FileMode mode, FileAccess access = FileAccess.ReadWrite, FileShare share = FileShare.None)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share };
        if (!OperatingSystem.IsWindows() && mode is FileMode.CreateNew or FileMode.Create or FileMode.OpenOrCreate)
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        var stream = new FileStream(path, options);
        RestrictToOwner(path);
        return stream;
    }

    /// <summary>Creates an empty 0600 file if it does not exist yet; leaves content alone, tightens the mode.</summary>
    public static void EnsureFile(string path)
    {
        using (Open(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite))
        {
        }
    }

    /// <summary>Sets 0600 on an existing file if it is looser (a file written by another tool, or a SQLite sidecar).</summary>
    public static void RestrictToOwner(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path) && File.GetUnixFileMode(path) != OwnerOnlyFile)
        {
            File.SetUnixFileMode(path, OwnerOnlyFile);
        }
    }
}
