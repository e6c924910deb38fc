using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Appliance.Cli;

/// <summary>
/// Gives the updates root and the releases folder (and everything under them) back to root:root, as `update recover`
/// runs as root before every start of the service (the unit's <c>ExecStartPre=+</c>). Sites installed before
/// <see cref="OwnershipRestorer"/> stopped handing them to the service user still have a service-owned updates/, in
/// which a compromised service could plant a release that root later runs. Root's recovery reads its record before
/// this repair runs (decision 0112), since the repair makes a planted file root's as well.
/// <para>
/// The modes are those a fresh install gives (root's umask 022): folders and executables 0755, other files 0644
/// (readable by the service, writable by root alone; no set-id/sticky bits). The walk never follows a symbolic link: every
/// entry is opened with O_PATH|O_NOFOLLOW relative to its parent's descriptor, owner and mode are changed through
/// that descriptor (a link is given to root itself, never its target), and a folder is entered through the descriptor
/// it was opened as, so a link swapped in by the service user between two calls can make root change nothing
/// elsewhere. A file with several hard links that root already owns is left alone (it could be a system file linked
/// in); everything else is repaired.
/// </para>
/// Never throws: what it cannot repair is logged and the start goes on (only recovery's own checks stop it).
/// </summary>
internal static partial class UpdatesOwnershipRepair
{
    /// <summary>Deeper than any tree the updater makes (releases/V/content/file); a deeper one is not walked further.</summary>
    private const int MaxDepth = 32;

    private const uint FolderMode = 0x1ED; // 0755
    private const uint FileTypeMask = 0xF000; // S_IFMT
    private const uint DirectoryType = 0x4000; // S_IFDIR
    private const uint LinkType = 0xA000; // S_IFLNK
    private const uint OwnerExecute = 0x40; // S_IXUSR

    /// <summary>What one repaired entry was before.</summary>
    internal sealed record Change(string Path, uint Uid, uint Gid, uint OldMode, uint NewMode);

    /// <summary>Repairs <paramref name="folders"/> (absolute paths; a missing one is skipped) when this process is root on Linux.</summary>
    public static IReadOnlyList<Change> Run(IEnumerable<string> folders, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(folders);
        ArgumentNullException.ThrowIfNull(logger);
        var changes = new List<Change>();
        var distinct = folders.Distinct(StringComparer.Ordinal).ToArray();
        if (!OperatingSystem.IsLinux() || geteuid() != 0)
        {
            return changes;
        }

        if (NoFollowFlag() is not { } noFollow)
        {
            UpdatesOwnershipLog.Failed(logger, string.Join(", ", distinct), $"{RuntimeInformation.ProcessArchitecture} is not a supported architecture");
            return changes;
        }

        foreach (var folder in distinct)
        {
            try
            {
                RepairTop(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)), noFollow, changes, logger);
            }
#pragma warning disable CA1031 // Never fail the service start over this: the failure is logged and the start goes on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                UpdatesOwnershipLog.Failed(logger, folder, e.Message);
            }
        }

        return changes;
    }

    private static void RepairTop(string folder, int noFollow, List<Change> changes, ILogger logger)
    {
        var parentPath = Path.GetDirectoryName(folder);
        var name = Path.GetFileName(folder);
        if (parentPath is null || name.Length == 0)
        {
            return;
        }

        // The parent (the data folder) is opened by its path, which root's configuration names; from there on no
        // link is followed.
        var parent = openat(AtFdCwd, parentPath, OPath | OCloexec);
        if (parent < 0)
        {
            return;
        }

        try
        {
            var top = openat(parent, name, OPath | noFollow | OCloexec);
            if (top < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == ELoop)
                {
                    UpdatesOwnershipLog.LinkRefused(logger, folder);
                }
                else if (errno != ENoEnt)
                {
                    UpdatesOwnershipLog.Failed(logger, folder, $"open failed (errno {errno})");
                }

                return;
            }

            try
            {
                if (Stat(top) is { } stat && (stat.Mode & FileTypeMask) == LinkType)
                {
                    // O_PATH|O_NOFOLLOW opens a link itself: the updates root must be a real folder.
                    UpdatesOwnershipLog.LinkRefused(logger, folder);
                    return;
                }

                RepairEntry(top, folder, depth: 0, noFollow, changes, logger);
            }
            finally
            {
                _ = close(top);
            }
        }
        finally
        {
            _ = close(parent);
        }
    }

    /// <summary>Repairs the entry open as <paramref name="fd"/> and, for a folder, everything under it.</summary>
    private static void RepairEntry(int fd, string path, int depth, int noFollow, List<Change> changes, ILogger logger)
    {
        if (Stat(fd) is not { } stat)
        {
            UpdatesOwnershipLog.Failed(logger, path, $"statx failed (errno {Marshal.GetLastPInvokeError()})");
            return;
        }

        var type = stat.Mode & FileTypeMask;
        var permissions = stat.Mode & 0xFFF;
        if (type != DirectoryType && stat.Links > 1 && stat.Uid == 0)
        {
            UpdatesOwnershipLog.HardLinkLeft(logger, path, stat.Links);
            return;
        }

        var wanted = type == LinkType ? permissions : WantedMode(type, permissions);
        if (stat.Uid != 0 || stat.Gid != 0)
        {
            // AT_EMPTY_PATH: the entry this descriptor names, a link included, never what a link points to.
            if (fchownat(fd, string.Empty, 0, 0, AtEmptyPath) != 0)
            {
                UpdatesOwnershipLog.Failed(logger, path, $"chown failed (errno {Marshal.GetLastPInvokeError()})");
                return;
            }
        }

        // chmod through /proc/self/fd: the magic link names this very inode (an O_PATH descriptor has no fchmod).
        if (wanted != permissions && chmod(ProcPath(fd), wanted) != 0)
        {
            UpdatesOwnershipLog.Failed(logger, path, $"chmod failed (errno {Marshal.GetLastPInvokeError()})");
            return;
        }

        if (stat.Uid != 0 || stat.Gid != 0 || wanted != permissions)
        {
            var change = new Change(path, stat.Uid, stat.Gid, permissions, wanted);
            changes.Add(change);
            UpdatesOwnershipLog.Repaired(logger, path, stat.Uid, stat.Gid, Octal(permissions), Octal(wanted));
        }

        if (type != DirectoryType)
        {
            return;
        }

        if (depth >= MaxDepth)
        {
            UpdatesOwnershipLog.Failed(logger, path, $"nested deeper than {MaxDepth} folders; not walked further");
            return;
        }

        foreach (var name in Names(fd))
        {
            var child = openat(fd, name, OPath | noFollow | OCloexec);
            if (child < 0)
            {
                // Gone since the listing (the service may still be running): nothing left to repair there.
                continue;
            }

            try
            {
                RepairEntry(child, Path.Combine(path, name), depth + 1, noFollow, changes, logger);
            }
            finally
            {
                _ = close(child);
            }
        }
    }

    /// <summary>
    /// Folders and executables 0755, other files 0644: the service reads everything here (its release, content,
    /// state.json, history.json) and writes none of it. A 0600 file of root's would lock the service out of its own
    /// update state, as a state.json written under the unit's UMask=0077 did before <c>AtomicFile.RecordMode</c>.
    /// </summary>
    internal static uint WantedMode(uint type, uint permissions) =>
        type == DirectoryType || (permissions & OwnerExecute) != 0 ? FolderMode : 0x1A4; // 0644

    /// <summary>The folder's entry names, listed through the descriptor, not through its path.</summary>
    private static string[] Names(int fd) =>
        [.. Directory.EnumerateFileSystemEntries(ProcPath(fd)).Select(p => Path.GetFileName(p))];

    private static string ProcPath(int fd) => "/proc/self/fd/" + fd.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Octal(uint mode) => Convert.ToString(mode, 8).PadLeft(4, '0');

    /// <summary>
    /// O_NOFOLLOW differs between the two architectures the appliance ships for: asm-generic/fcntl.h (x86-64) has
    /// 0400000, arch/arm64/include/uapi/asm/fcntl.h has 0100000.
    /// </summary>
    private static int? NoFollowFlag() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 0x20000,
        Architecture.Arm64 => 0x8000,
        _ => null,
    };

    /// <summary>
    /// Mode, owner and link count of the entry a descriptor names, from statx(2) with AT_EMPTY_PATH (a link itself
    /// when opened O_PATH|O_NOFOLLOW). Layout from include/uapi/linux/stat.h, the same on every architecture:
    /// stx_nlink at byte 16, stx_uid 20, stx_gid 24, stx_mode (16 bits) 28.
    /// </summary>
    private static (uint Mode, uint Uid, uint Gid, uint Links)? Stat(int fd)
    {
        Span<byte> buffer = stackalloc byte[256];
        const uint Wanted = 0x1 | 0x2 | 0x4 | 0x8 | 0x10; // STATX_TYPE | MODE | NLINK | UID | GID
        return statx(fd, string.Empty, AtEmptyPath | AtSymlinkNoFollow, Wanted, ref MemoryMarshal.GetReference(buffer)) == 0
            ? (MemoryMarshal.Read<ushort>(buffer[28..]), MemoryMarshal.Read<uint>(buffer[20..]), MemoryMarshal.Read<uint>(buffer[24..]), MemoryMarshal.Read<uint>(buffer[16..]))
            : null;
    }

    // include/uapi/linux/fcntl.h and asm-generic/fcntl.h (the same on x86-64 and arm64).
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const int OPath = 0x200000; // 010000000
    private const int OCloexec = 0x80000; // 02000000
    private const int ENoEnt = 2;
    private const int ELoop = 40;

    [LibraryImport("libc", SetLastError = true)]
    private static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int openat(int dirfd, string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int fchownat(int dirfd, string path, uint owner, uint group, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chmod(string path, uint mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, ref byte buffer);
}
