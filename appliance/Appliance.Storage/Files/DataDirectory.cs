namespace Appliance.Storage.Files;

/// <summary>
/// The appliance's data folder, held exclusively for the lifetime of this object.
/// Opening it creates the folder 0700, proves it is writable, and takes `appliance.lock` with an exclusive
/// advisory lock (.NET maps FileShare.None to flock(LOCK_EX) on Unix), so a second `serve`, or the CLI working on
/// the database directly, refuses instead of racing the running service. The lock dies with the process, so a
/// crash never leaves a stale lock behind.
/// </summary>
public sealed class DataDirectory : IDisposable
{
    public const string LockFileName = "appliance.lock";
    public const string DatabaseFileName = "appliance.db";
    public const string BackupFolderName = "backups";
    public const string AdminSocketFileName = "admin.sock";

    private readonly FileStream _lock;

    private DataDirectory(string path, FileStream lockStream)
    {
        Path = path;
        _lock = lockStream;
    }

    /// <summary>Absolute path of the folder.</summary>
    public string Path { get; }

    public string DatabasePath => System.IO.Path.Combine(Path, DatabaseFileName);

    public string BackupPath => System.IO.Path.Combine(Path, BackupFolderName);

    public string AdminSocketPath => System.IO.Path.Combine(Path, AdminSocketFileName);

    /// <summary>The admin socket path for a data folder, without opening it (the CLI probes it before locking).</summary>
    public static string AdminSocketPathFor(string dataPath) =>
        System.IO.Path.Combine(System.IO.Path.GetFullPath(dataPath), AdminSocketFileName);

    /// <summary>Creates (0700) and locks the folder.</summary>
    /// <exception cref="DataDirectoryException">Not writable, or held by another process.</exception>
    public static DataDirectory Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            SecureFiles.EnsureDirectory(full);
            ProbeWritable(full);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new DataDirectoryException(
                DataDirectoryProblem.NotWritable,
                $"The data folder '{full}' is not writable by this user ({e.Message}). " +
                "Run the appliance as the user that owns the folder, or choose another one with --data-dir or APPLIANCE_DATA_DIR.",
                e);
        }

        return new DataDirectory(full, AcquireLock(full));
    }

    public void Dispose() => _lock.Dispose();

    private static void ProbeWritable(string full)
    {
        var probe = System.IO.Path.Combine(full, $".write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        using (SecureFiles.Open(probe, FileMode.CreateNew, FileAccess.Write))
        {
        }

        File.Delete(probe);
    }

    private static FileStream AcquireLock(string full)
    {
        var lockPath = System.IO.Path.Combine(full, LockFileName);
        FileStream stream;
        try
        {
            stream = SecureFiles.Open(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new DataDirectoryException(
                DataDirectoryProblem.InUse,
                $"The data folder '{full}' is in use by another appliance process (lock '{lockPath}' is held). " +
                "Stop that process first, or use a different --data-dir. Operator commands reach a running service over its admin socket.",
                e);
        }

        try
        {
            WritePid(stream);
            return stream;
        }
        catch (IOException e)
        {
            // A full disk fails here (the probe file was empty): that is not "in use".
            ReleaseAfterFailedWrite(stream);
            throw NotWritable(full, e);
        }
    }

    /// <summary>
    /// Closing flushes the buffered pid again, which fails again on a full disk (FullDiskTests): that second error
    /// must not replace the first, and the handle (with its flock) is released by the close all the same.
    /// </summary>
    private static void ReleaseAfterFailedWrite(FileStream stream)
    {
        try
        {
            stream.Dispose();
        }
        catch (IOException)
        {
            // The same full disk; the caller reports the first failure.
        }
    }

    private static DataDirectoryException NotWritable(string full, Exception e) =>
        new(DataDirectoryProblem.NotWritable,
            $"The data folder '{full}' is not writable ({e.Message}). Free disk space, or run the appliance as the user that owns the folder.",
            e);

    private static void WritePid(FileStream stream)
    {
        // For an operator looking at the folder; the lock itself is the flock, not this content.
        var text = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        stream.SetLength(0);
        stream.Write(text);
        stream.Flush();
    }
}
