using System.Runtime.InteropServices;

namespace Appliance.Cli;

/// <summary>
/// When root runs a verb directly on a data folder that belongs to another user (the service user), gives every
/// root-owned file and folder it left inside back to the folder's owner on dispose. Otherwise the service, which is
/// not root, would later die on files it cannot open (a root-owned appliance.db-wal or backup).
/// Never the updates root or the releases (<see cref="RootOwned"/>): root's recovery trusts their record only when
/// they are root's (decision 0112), and root used to run <c>updates/current/appliance</c> itself.
/// </summary>
internal sealed partial class OwnershipRestorer(string dataDirectory) : IDisposable
{
    /// <summary>Folders of the data folder that stay root's (docs/operator-guide-updates.md; the unit file).</summary>
    internal static readonly IReadOnlyList<string> RootOwned = ["updates", "releases"];

    public void Dispose()
    {
        if (!OperatingSystem.IsLinux() || geteuid() != 0 || Owner(dataDirectory) is not { } owner || owner.Uid == 0)
        {
            return;
        }

        var skipped = RootOwned.Select(name => Path.Combine(dataDirectory, name)).ToArray();
        var pending = new Stack<string>();
        pending.Push(dataDirectory);
        while (pending.TryPop(out var folder))
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(folder))
            {
                if (skipped.Contains(path, StringComparer.Ordinal))
                {
                    continue;
                }

                if (Owner(path) is { Uid: 0 })
                {
                    _ = lchown(path, owner.Uid, owner.Gid);
                }

                // Into real folders only: a link is given back itself (lchown) but never followed.
                if (Directory.Exists(path) && new FileInfo(path).LinkTarget is null)
                {
                    pending.Push(path);
                }
            }
        }
    }

    /// <summary>Gives a folder itself (not its contents, see Dispose) to <paramref name="owner"/> when root runs this.</summary>
    internal static void GiveTo(string path, (uint Uid, uint Gid)? owner)
    {
        if (OperatingSystem.IsLinux() && owner is { } o && o.Uid != 0 && geteuid() == 0)
        {
            _ = lchown(path, o.Uid, o.Gid);
            using (new OwnershipRestorer(path))
            {
            }
        }
    }

    /// <summary>
    /// Owner of a path without following links, from statx(2), whose struct layout is the same on every Linux
    /// architecture (include/uapi/linux/stat.h: stx_uid at byte 20, stx_gid at byte 24), unlike struct stat.
    /// </summary>
    internal static (uint Uid, uint Gid)? Owner(string path)
    {
        Span<byte> buffer = stackalloc byte[256];
        const int AtFdCwd = -100;
        const int AtSymlinkNoFollow = 0x100;
        const uint StatxUid = 0x8;
        const uint StatxGid = 0x10;
        return statx(AtFdCwd, path, AtSymlinkNoFollow, StatxUid | StatxGid, ref MemoryMarshal.GetReference(buffer)) == 0
            ? (MemoryMarshal.Read<uint>(buffer[20..]), MemoryMarshal.Read<uint>(buffer[24..]))
            : null;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lchown(string path, uint owner, uint group);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, ref byte buffer);
}
