using System.Globalization;
using Appliance.Storage.Files;

namespace Appliance.Hosting.Backup;

/// <summary>
/// `backup restore`: replaces a stopped appliance's data folder with an archive's. Refused while `serve` holds the
/// folder's lock. The archive is unpacked and checked beside the folder first; only then are the current entries
/// moved aside into `&lt;data&gt;.before-restore-&lt;stamp&gt;` (nothing is deleted; `backups/` and `logs/` stay) and
/// the restored ones moved in,
/// while this process holds the lock so no server can start half-way.
/// </summary>
public static class BackupRestore
{
    public sealed record Result(BackupManifest Manifest, string PreviousData, string? RestoredConfig);

    public static Result Restore(string archive, string dataDir, DateTimeOffset now)
    {
        var data = Path.GetFullPath(dataDir);
        var parent = Path.GetDirectoryName(data.TrimEnd(Path.DirectorySeparatorChar))!;
        var stamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        Directory.CreateDirectory(data);
        DataDirectory directory;
        try
        {
            directory = DataDirectory.Open(data);
        }
        catch (DataDirectoryException exception)
        {
            throw new BackupException($"cannot restore into {data}: {exception.Message} Stop the appliance first (systemctl stop appliance); nothing was changed.", exception)
            {
                ApplianceRunning = exception.Problem == DataDirectoryProblem.InUse,
            };
        }

        using (directory)
        {
            var unpacked = Path.Combine(parent, $".{Path.GetFileName(data)}.restoring-{Guid.NewGuid():N}");
            try
            {
                var manifest = BackupReader.Extract(archive, unpacked);
                var previous = Path.Combine(parent, $"{Path.GetFileName(data)}.before-restore-{stamp}");
                SecureFiles.EnsureDirectory(previous);
                foreach (var entry in Directory.EnumerateFileSystemEntries(data))
                {
                    // The lock is ours; the archives and logs stay where the operator keeps them (they are not in the archive).
                    if (Path.GetFileName(entry) is DataDirectory.LockFileName or DataDirectory.BackupFolderName or "logs")
                    {
                        continue;
                    }

                    Move(entry, Path.Combine(previous, Path.GetFileName(entry)));
                }

                var restoredData = Path.Combine(unpacked, "data");
                foreach (var entry in Directory.EnumerateFileSystemEntries(restoredData))
                {
                    Move(entry, Path.Combine(data, Path.GetFileName(entry)));
                }

                string? config = null;
                var configFolder = Path.Combine(unpacked, "config");
                if (Directory.Exists(configFolder))
                {
                    // The config file is not written over /etc: the operator compares and copies it.
                    config = Path.Combine(data, "restored-config");
                    Move(configFolder, config);
                }

                var policyFolder = Path.Combine(unpacked, "policy");
                if (Directory.Exists(policyFolder))
                {
                    Move(policyFolder, Path.Combine(data, "restored-policy"));
                }

                return new Result(manifest, previous, config);
            }
            finally
            {
                if (Directory.Exists(unpacked))
                {
                    Directory.Delete(unpacked, recursive: true);
                }
            }
        }
    }

    private static void Move(string from, string to)
    {
        if (Directory.Exists(from) && new FileInfo(from).LinkTarget is null)
        {
            Directory.Move(from, to);
        }
        else
        {
            File.Move(from, to);
        }
    }
}
