using Appliance.Hosting.Configuration;

namespace Appliance.Hosting.Startup;

/// <summary>
/// The seam between hosting and storage: the locked data folder (and, from storage, the open database). It is
/// opened before the web host is built so that every refusal (folder not writable, folder in use, database
/// refused) is a clear message and an exit code, and nothing is bound or written. Disposing releases the lock.
/// </summary>
public sealed class ApplianceState : IDisposable
{
    public const string LockFileName = "appliance.lock";

    private readonly FileStream _lock;

    private ApplianceState(AppliancePaths paths, FileStream lockStream)
    {
        Paths = paths;
        _lock = lockStream;
    }

    public AppliancePaths Paths { get; }

    public static StateOpenResult TryOpen(AppliancePaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(paths.DataDir);
            }
            else
            {
                Directory.CreateDirectory(paths.DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return StateOpenResult.Failed(StateOpenFailure.NotWritable,
                $"The data folder '{paths.DataDir}' cannot be created or written by this user ({e.Message}). Run as the folder's owner or set server.data_dir / APPLIANCE_DATA_DIR.");
        }

        var lockPath = Path.Combine(paths.DataDir, LockFileName);
        FileStream stream;
        try
        {
            // FileShare.None is an flock(LOCK_EX|LOCK_NB) on Unix: a second process fails here, and the lock dies
            // with the process, so a crash leaves no stale lock behind.
            var lockOptions = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                lockOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            stream = new FileStream(lockPath, lockOptions);
        }
        catch (UnauthorizedAccessException e)
        {
            return StateOpenResult.Failed(StateOpenFailure.NotWritable,
                $"The data folder '{paths.DataDir}' is not writable by this user ({e.Message}). Run as the folder's owner or set server.data_dir / APPLIANCE_DATA_DIR.");
        }
        catch (IOException)
        {
            return StateOpenResult.Failed(StateOpenFailure.InUse,
                $"The data folder '{paths.DataDir}' is in use by another appliance process (lock '{lockPath}' is held). Stop that process first, or use another data folder.");
        }

        return StateOpenResult.Opened(new ApplianceState(paths, stream));
    }

    public void Dispose() => _lock.Dispose();
}
