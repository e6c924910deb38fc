namespace Appliance.Updates.Apply;

/// <summary>
/// One update command at a time per updates root: an exclusive lock on ROOT/update.lock (.NET takes flock(2)
/// LOCK_EX|LOCK_NB for FileShare.None on Unix). The file is created once and never removed, so taking the lock
/// does not change the tree. Released when the process exits, however it exits.
/// </summary>
internal sealed class UpdateLock : IDisposable
{
    private readonly FileStream? _file;

    private UpdateLock(FileStream? file) => _file = file;

    public const string BusyMessage = "another update command is running on this appliance; try again when it has finished";

    /// <summary>False when another process holds the lock. A root that does not exist yet needs no lock.</summary>
    public static bool TryAcquire(UpdatePaths paths, out UpdateLock? held)
    {
        held = null;
        if (!Directory.Exists(paths.Root))
        {
            held = new UpdateLock(null);
            return true;
        }

        try
        {
            held = new UpdateLock(new FileStream(Path.Combine(paths.Root, "update.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose() => _file?.Dispose();
}
