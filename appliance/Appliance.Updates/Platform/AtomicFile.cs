using System.Security.Cryptography;

namespace Appliance.Updates.Platform;

/// <summary>Write-temp, fsync, rename, fsync-directory: a reader sees the old file or the new one, never half.</summary>
internal static class AtomicFile
{
    /// <summary>
    /// Every record the updater writes (state.json, history.json, root.json) is 0644 whatever the umask: root writes
    /// them from the unit's ExecStartPre, which runs under the unit's UMask=0077, and a 0600 root-owned state.json
    /// left the service unable to read its own update state (the admin console's Updates page and upload). The
    /// service needs to read them, never to write them: root trusts them because only root can write them.
    /// </summary>
    public const UnixFileMode RecordMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, "." + Path.GetFileName(path) + ".tmp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                if (!OperatingSystem.IsWindows())
                {
                    // fchmod(2) on the descriptor: a create mode is cut by the umask, this is not.
                    File.SetUnixFileMode(stream.SafeFileHandle, RecordMode);
                }

                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
            PosixFile.FsyncDirectory(directory);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Copies a stream into a new file and fsyncs it; used while staging.</summary>
    public static FileStream CreateForStaging(string path, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        return new FileStream(path, options);
    }
}
