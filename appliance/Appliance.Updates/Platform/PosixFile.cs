using System.Runtime.InteropServices;

namespace Appliance.Updates.Platform;

/// <summary>
/// The two POSIX calls the BCL does not expose in the form an atomic switch needs: rename(2) of a symbolic link
/// over another (File.Move follows a link to a directory and refuses), and fsync(2) of a directory so a rename
/// survives power loss (the BCL cannot open a directory).
/// </summary>
internal static partial class PosixFile
{
    private const int ORdOnly = 0;
    private const int ODirectoryLinux = 0x10000; // <asm-generic/fcntl.h> O_DIRECTORY on x86-64 and arm64

    /// <summary>Atomically replaces <paramref name="to"/> with <paramref name="from"/> (rename(2)).</summary>
    public static void Rename(string from, string to)
    {
        if (Rename_(from, to) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"rename {from} -> {to} failed (errno {errno})");
        }
    }

    /// <summary>Flushes a directory's entries to disk; best effort where the platform has no O_DIRECTORY.</summary>
    public static void FsyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(directory, ORdOnly | ODirectoryLinux);
        if (fd < 0)
        {
            return;
        }

        try
        {
            _ = Fsync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename_(string from, string to);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
