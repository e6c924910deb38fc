using Appliance.Updates.Platform;

namespace Appliance.Updates.Apply;

/// <summary>
/// One update command at a time per updates root: an exclusive flock(2) (LOCK_EX|LOCK_NB) on ROOT/update.lock. The file
/// is created once and never removed, so taking the lock does not change the tree. Released when the process exits,
/// however it exits.
/// <para>
/// Root takes this lock, so the file is opened with O_NOFOLLOW|O_CLOEXEC and checked through its descriptor before it is
/// used: a link planted in its place (pointing at, say, /etc/shadow) is never followed, and a file that is not a
/// regular file of the updater's own user with one link and no group/other write is refused with
/// <see cref="UnsafeUpdatePathException"/>. <c>update recover</c> (the unit's ExecStartPre) may instead
/// <see cref="Replace"/> such an entry: it removes the entry itself (never what a link names) and creates a fresh file.
/// </para>
/// </summary>
internal sealed class UpdateLock : IDisposable
{
    public const string FileName = "update.lock";

    private readonly FileStream? _file;
    private readonly int _fd = -1;

    private UpdateLock(FileStream? file) => _file = file;

    private UpdateLock(int fd) => _fd = fd;

    public const string BusyMessage = "another update command is running on this appliance; try again when it has finished";

    /// <summary>
    /// False when another process holds the lock. A root that does not exist yet needs no lock. Throws
    /// <see cref="UnsafeUpdatePathException"/> for a planted lock file (with <paramref name="replaceUnsafe"/>, replaces it
    /// first and reports what it found through <paramref name="replaced"/>).
    /// </summary>
    public static bool TryAcquire(UpdatePaths paths, out UpdateLock? held, bool replaceUnsafe = false, Action<UnsafeUpdatePathException>? replaced = null)
    {
        held = null;
        if (!Directory.Exists(paths.Root))
        {
            held = new UpdateLock(null);
            return true;
        }

        if (!NoFollow.Supported)
        {
            try
            {
                held = new UpdateLock(new FileStream(Path.Combine(paths.Root, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                return true;
            }
            catch (IOException)
            {
                return false;
            }
        }

        var fd = OpenChecked(paths, out var refused);
        if (refused is not null)
        {
            if (!replaceUnsafe)
            {
                throw refused;
            }

            replaced?.Invoke(refused);
            fd = Recreate(paths, refused);
        }

        if (!NoFollow.TryLockExclusive(fd))
        {
            NoFollow.Close(fd);
            return false;
        }

        held = new UpdateLock(fd);
        return true;
    }

    /// <summary>Opens (or creates, 0644) the lock file without following a link; null error when it is safe to use.</summary>
    private static int OpenChecked(UpdatePaths paths, out UnsafeUpdatePathException? refused)
    {
        refused = null;
        var path = Path.Combine(paths.Root, FileName);

        // The root itself is not followed either: a root that is a link would put root's lock file wherever it points.
        var root = NoFollow.Open(NoFollow.AtFdCwd, paths.Root, NoFollow.OPath | NoFollow.ONoFollow | NoFollow.ODirectory | NoFollow.OCloexec);
        if (root < 0)
        {
            refused = new UnsafeUpdatePathException(paths.Root, $"{paths.Root} is a symbolic link or not a folder (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}): not followed");
            return -1;
        }

        int fd;
        int errno;
        try
        {
            fd = NoFollow.Open(root, FileName, NoFollow.ORdWr | NoFollow.OCreat | NoFollow.ONoFollow | NoFollow.OCloexec, 0x1A4);

            // Read before close(2): every call with SetLastError resets what the runtime kept.
            errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        }
        finally
        {
            NoFollow.Close(root);
        }

        if (fd < 0)
        {
            refused = new UnsafeUpdatePathException(path, errno == NoFollow.ELoop
                ? $"{path} is a symbolic link: not followed; the updater's lock must be a plain file of its own"
                : $"{path} cannot be opened as a plain file (errno {errno}); remove it and the next update command creates it again");
            return -1;
        }

        var problem = NoFollow.Stat(fd) is { } status ? Problem(status) : "cannot be examined (statx failed)";
        if (problem is not null)
        {
            NoFollow.Close(fd);
            refused = new UnsafeUpdatePathException(path, $"{path} {problem}: not used as the updater's lock");
            return -1;
        }

        return fd;
    }

    /// <summary>What is wrong with a lock file, or null: it must be a regular file of this user with one link and no group/other write.</summary>
    internal static string? Problem(NoFollow.Status status) =>
        !status.IsRegular ? "is not a regular file"
        : status.Uid != NoFollow.EffectiveUser ? $"belongs to uid {status.Uid}, not {NoFollow.EffectiveUser}"
        : status.Links != 1 ? $"has {status.Links} hard links"
        : (status.Mode & 0x12) != 0 ? "is writable by group or others"
        : null;

    /// <summary>Removes the refused entry itself (unlinkat: a link goes, its target stays) and creates the file afresh (O_EXCL).</summary>
    private static int Recreate(UpdatePaths paths, UnsafeUpdatePathException refused)
    {
        var root = refused.Path == paths.Root ? -1
            : NoFollow.Open(NoFollow.AtFdCwd, paths.Root, NoFollow.OPath | NoFollow.ONoFollow | NoFollow.ODirectory | NoFollow.OCloexec);
        if (root < 0)
        {
            throw refused;
        }

        try
        {
            if (NoFollow.Unlink(root, FileName) != 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != NoFollow.ENoEnt)
            {
                throw refused;
            }

            var fd = NoFollow.Open(root, FileName, NoFollow.ORdWr | NoFollow.OCreat | NoFollow.OExcl | NoFollow.ONoFollow | NoFollow.OCloexec, 0x1A4);
            return fd >= 0 ? fd : throw refused;
        }
        finally
        {
            NoFollow.Close(root);
        }
    }

    public void Dispose()
    {
        _file?.Dispose();
        if (_fd >= 0)
        {
            NoFollow.Close(_fd);
        }
    }
}
