using System.Runtime.InteropServices;
using Appliance.Updates.Platform;
using Appliance.Updates.Trust;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Updates.Apply;

/// <summary>
/// Reads the bundle-signing trust root (root.json) the way root must on the installed appliance (decision 0112): from
/// root's own folder (<see cref="UpdatePaths.RootMetadata"/>, /usr/local/lib/appliance/root.json), never from the data
/// folder the service user owns. The folder is opened O_PATH|O_NOFOLLOW|O_DIRECTORY, the file O_RDONLY|O_NOFOLLOW
/// relative to it; both must belong to root (or to the user reading, so that the service can show what is pinned) and
/// be writable by nobody else, and the file must be a regular file with one link and at most
/// <see cref="RootMetadata.MaxFileSize"/> bytes. Where the trust root is still ROOT/root.json (a development updates
/// root, tests) it is read as before.
/// </summary>
internal static class PinnedRootFile
{
    /// <summary>The file's bytes, or null with why not (missing, unsafe, too large).</summary>
    public static byte[]? Read(UpdatePaths paths, out string error)
    {
        error = "";
        if (!paths.RootMetadataPinnedOutside || !NoFollow.Supported)
        {
            if (!File.Exists(paths.RootMetadata))
            {
                error = NotPinned(paths);
                return null;
            }

            if (new FileInfo(paths.RootMetadata).Length > RootMetadata.MaxFileSize)
            {
                error = $"{paths.RootMetadata} is too large";
                return null;
            }

            return File.ReadAllBytes(paths.RootMetadata);
        }

        var bytes = ReadNoFollow(paths.RootMetadata, AcceptedOwner, out error, out var missing);
        if (bytes is null && missing)
        {
            error = NotPinned(paths);
        }

        return bytes;
    }

    /// <summary>True when a pinned file exists at <see cref="UpdatePaths.RootMetadata"/> (a link counts: it is refused on read).</summary>
    public static bool Exists(string path) => File.Exists(path) || new FileInfo(path).LinkTarget is not null;

    /// <summary>
    /// Reads <paramref name="path"/> without following a link in its last two components; <paramref name="owner"/>
    /// says whether a uid may own the folder and the file. <paramref name="missing"/> is true when the file is not there.
    /// </summary>
    internal static byte[]? ReadNoFollow(string path, Func<uint, bool> owner, out string error, out bool missing)
    {
        error = "";
        missing = false;
        var folderPath = Path.GetDirectoryName(path) ?? "/";
        var parent = NoFollow.Open(NoFollow.AtFdCwd, Path.GetDirectoryName(folderPath) ?? "/", NoFollow.OPath | NoFollow.ODirectory | NoFollow.OCloexec);
        if (parent < 0)
        {
            var parentErrno = Marshal.GetLastPInvokeError();
            missing = parentErrno == NoFollow.ENoEnt;
            error = $"{Path.GetDirectoryName(folderPath)} cannot be opened (errno {parentErrno})";
            return null;
        }

        var folder = NoFollow.Open(parent, Path.GetFileName(folderPath), NoFollow.OPath | NoFollow.ONoFollow | NoFollow.ODirectory | NoFollow.OCloexec);
        var errno = Marshal.GetLastPInvokeError(); // before close(2), which sets its own
        NoFollow.Close(parent);
        if (folder < 0)
        {
            missing = errno == NoFollow.ENoEnt;
            error = errno is NoFollow.ELoop or NoFollow.ENotDir ? $"{folderPath} is a symbolic link or not a folder" : $"{folderPath} cannot be opened (errno {errno})";
            return null;
        }

        try
        {
            var folderProblem = NoFollow.Stat(folder) is { } folderStatus ? Problem(folderStatus, owner) : "cannot be examined";
            if (folderProblem is not null)
            {
                error = $"{folderPath} {folderProblem}";
                return null;
            }

            var fd = NoFollow.Open(folder, Path.GetFileName(path), NoFollow.ORdOnly | NoFollow.ONoFollow | NoFollow.OCloexec);
            if (fd < 0)
            {
                errno = Marshal.GetLastPInvokeError();
                missing = errno == NoFollow.ENoEnt;
                error = errno == NoFollow.ELoop ? $"{path} is a symbolic link: not followed" : $"{path} cannot be opened (errno {errno})";
                return null;
            }

            using var handle = new SafeFileHandle(fd, ownsHandle: true);
            if (NoFollow.Stat(fd) is not { } status)
            {
                error = $"{path} cannot be examined";
                return null;
            }

            var wrong = !status.IsRegular ? "is not a regular file"
                : status.Links != 1 ? $"has {status.Links} hard links"
                : status.Size > RootMetadata.MaxFileSize ? $"is larger than {RootMetadata.MaxFileSize} bytes"
                : Problem(status, owner);
            if (wrong is not null)
            {
                error = $"{path} {wrong}";
                return null;
            }

            using var stream = new FileStream(handle, FileAccess.Read);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
        finally
        {
            NoFollow.Close(folder);
        }
    }

    /// <summary>Root's file, or the reading user's own (the service reads root's pin to show it and check uploads).</summary>
    private static bool AcceptedOwner(uint uid) => uid == 0 || uid == NoFollow.EffectiveUser;

    private static string? Problem(NoFollow.Status status, Func<uint, bool> owner) =>
        !owner(status.Uid) ? $"belongs to uid {status.Uid}, not root"
        : RecordedRelease.WriteProblem(status);

    private static string NotPinned(UpdatePaths paths) =>
        $"no root metadata is pinned at {paths.RootMetadata}; pin one with 'appliance update root import --install'";
}
