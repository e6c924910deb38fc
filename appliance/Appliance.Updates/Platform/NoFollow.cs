using System.Runtime.InteropServices;

namespace Appliance.Updates.Platform;

/// <summary>
/// The Linux calls root needs to look at files the service user may have planted without ever following a link:
/// openat(2) with O_NOFOLLOW relative to a folder's descriptor, statx(2) of a descriptor, readlinkat(2) and flock(2).
/// What each returns is what the kernel says about the very inode opened, so a link swapped in between two calls
/// changes nothing root does.
/// </summary>
internal static partial class NoFollow
{
    /// <summary>What statx says about one inode.</summary>
    internal readonly record struct Status(uint Mode, uint Uid, uint Gid, uint Links, long Size)
    {
        public uint Type => Mode & FileTypeMask;

        public bool IsRegular => Type == RegularType;

        public bool IsDirectory => Type == DirectoryType;

        public bool IsLink => Type == LinkType;
    }

    public const uint FileTypeMask = 0xF000; // S_IFMT
    public const uint RegularType = 0x8000; // S_IFREG
    public const uint DirectoryType = 0x4000; // S_IFDIR
    public const uint LinkType = 0xA000; // S_IFLNK

    // include/uapi/linux/fcntl.h and asm-generic/fcntl.h (the same on x86-64 and arm64, except the two below).
    public const int AtFdCwd = -100;
    public const int ORdOnly = 0;
    public const int ORdWr = 2;
    public const int OCreat = 0x40; // 0100
    public const int OExcl = 0x80; // 0200
    public const int OCloexec = 0x80000; // 02000000
    public const int OPath = 0x200000; // 010000000
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;

    public const int ENoEnt = 2;
    public const int EWouldBlock = 11;
    public const int ELoop = 40;
    public const int ENotDir = 20;

    /// <summary>
    /// O_NOFOLLOW and O_DIRECTORY differ between the two architectures the appliance ships for:
    /// asm-generic/fcntl.h (x86-64) has 0400000 and 0200000, arch/arm64/include/uapi/asm/fcntl.h 0100000 and 040000.
    /// </summary>
    public static bool Supported => OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    public static int ONoFollow => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000 : 0x20000;

    public static int ODirectory => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x4000 : 0x10000;

    /// <summary>The effective user: the owner every file root trusts must have (0 on the installed appliance).</summary>
    public static uint EffectiveUser => geteuid();

    /// <summary>openat(2); a negative result leaves the errno in <see cref="Marshal.GetLastPInvokeError"/>.</summary>
    public static int Open(int directory, string name, int flags, uint mode = 0) => openat(directory, name, flags, mode);

    public static void Close(int fd) => _ = close(fd);

    /// <summary>Mode, owner, link count and size of the inode <paramref name="fd"/> names (a link itself if opened O_PATH|O_NOFOLLOW).</summary>
    public static Status? Stat(int fd)
    {
        // Layout from include/uapi/linux/stat.h, the same on every architecture: stx_nlink at byte 16, stx_uid 20,
        // stx_gid 24, stx_mode (16 bits) 28, stx_size 40.
        Span<byte> buffer = stackalloc byte[256];
        const uint Wanted = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x200; // STATX_TYPE | MODE | NLINK | UID | GID | SIZE
        return statx(fd, string.Empty, AtEmptyPath | AtSymlinkNoFollow, Wanted, ref MemoryMarshal.GetReference(buffer)) == 0
            ? new Status(MemoryMarshal.Read<ushort>(buffer[28..]), MemoryMarshal.Read<uint>(buffer[20..]), MemoryMarshal.Read<uint>(buffer[24..]),
                MemoryMarshal.Read<uint>(buffer[16..]), MemoryMarshal.Read<long>(buffer[40..]))
            : null;
    }

    /// <summary>The target of the link <paramref name="name"/> in <paramref name="directory"/> as written, or null when it is not a link.</summary>
    public static string? ReadLink(int directory, string name)
    {
        var buffer = new byte[4096];
        var length = readlinkat(directory, name, ref buffer[0], (nuint)buffer.Length);
        return length < 0 || length >= buffer.Length ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, (int)length);
    }

    /// <summary>Removes the entry itself (a link is removed, never what it names).</summary>
    public static int Unlink(int directory, string name) => unlinkat(directory, name, 0);

    /// <summary>flock(fd, LOCK_EX|LOCK_NB): false when another process holds it.</summary>
    public static bool TryLockExclusive(int fd) => flock(fd, 2 | 4) == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int openat(int dirfd, string path, int flags, uint mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint readlinkat(int dirfd, string path, ref byte buffer, nuint size);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unlinkat(int dirfd, string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);
}
