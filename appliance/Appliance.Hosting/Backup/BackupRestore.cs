using System.Globalization;
using Appliance.Storage.Audit;
using Appliance.Storage.Files;

namespace Appliance.Hosting.Backup;

/// <summary>
/// `backup restore`: replaces a stopped appliance's data folder with an archive's, all or nothing. Refused while
/// `serve` holds the folder's lock. Steps, while this process holds the lock:
/// 1. unpack and check the archive into a staging folder beside the data folder (<c>.NAME.restoring-ID/data</c>);
/// 2. move what stays with the appliance rather than the archive (<see cref="Kept"/>: <c>backups/</c>, <c>logs/</c>,
///    <c>audit/</c>, <c>updates/</c>, <c>releases/</c>) from the data folder into the staging folder;
/// 3. swap the two folders in one step (<see cref="FolderSwap"/>);
/// 4. rename the old folder to <c>NAME.before-restore-STAMP</c> (nothing is deleted).
/// A failure in 1–3 moves whatever step 2 moved back and deletes the staging folder: the data folder is as it was.
/// </summary>
public static class BackupRestore
{
    /// <summary>
    /// Entries of the data folder that are not replaced by the archive's: the archives, the logs, the audit log (its
    /// chain must not go back in time), the updates root (the update trust root, which must not go back either, and
    /// <c>updates/current</c>, the link the systemd unit runs) and the releases that link points into
    /// (<c>releases/</c>, the default <c>updates.releases_dir</c>; archives leave both out). Keeping <c>updates/</c>
    /// without <c>releases/</c> left <c>current</c> dangling and the unit nothing to start (the systemd drill).
    /// The console's update inbox (<c>updates-inbox/</c>, made by tmpfiles.d at install) is this machine's too: without it
    /// a restored appliance could not take an update from the browser until the next boot.
    /// </summary>
    public static readonly IReadOnlyList<string> Kept = [DataDirectory.BackupFolderName, "logs", AuditLogFiles.FolderName, "updates", "releases", "updates-inbox"];

    public sealed record Result(BackupManifest Manifest, string PreviousData, string? RestoredConfig);

    /// <param name="step">Called with each step's name before it runs (unpack, keep, swap, set-aside); tests inject failures here.</param>
    /// <param name="identity">The age identity when the archive is encrypted (`--identity`); a chunk that does not authenticate stops the restore before the swap.</param>
    public static Result Restore(string archive, string dataDir, DateTimeOffset now, Action<string>? step = null, Encryption.AgeIdentity? identity = null)
    {
        var data = Path.GetFullPath(dataDir).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(data)!;
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
            var staging = Path.Combine(parent, $".{Path.GetFileName(data)}.restoring-{Guid.NewGuid():N}");
            var staged = Path.Combine(staging, "data");
            var moved = new List<string>();
            var swapped = false;
            try
            {
                step?.Invoke("unpack");
                var manifest = BackupReader.Extract(archive, staging, identity);
                SecureFiles.EnsureDirectory(staged);
                string? config = null;
                if (Directory.Exists(Path.Combine(staging, "config")))
                {
                    // The config file is not written over /etc: the operator compares and copies it.
                    Directory.Move(Path.Combine(staging, "config"), Path.Combine(staged, "restored-config"));
                    config = Path.Combine(data, "restored-config");
                }

                if (Directory.Exists(Path.Combine(staging, "policy")))
                {
                    Directory.Move(Path.Combine(staging, "policy"), Path.Combine(staged, "restored-policy"));
                }

                foreach (var name in Kept)
                {
                    // An archive's own copy of a kept folder (an older audit log) is set aside, not used.
                    if (Directory.Exists(Path.Combine(staged, name)))
                    {
                        Directory.Move(Path.Combine(staged, name), Path.Combine(staged, "restored-" + name));
                    }
                }

                step?.Invoke("keep");
                foreach (var name in Kept)
                {
                    var from = Path.Combine(data, name);
                    if (Directory.Exists(from))
                    {
                        Directory.Move(from, Path.Combine(staged, name));
                        moved.Add(name);
                    }
                }

                step?.Invoke("swap");
                FolderSwap.Exchange(data, staged);
                swapped = true;

                // The old folder is now at the staging path; give it a name the operator can find.
                step?.Invoke("set-aside");
                var previous = Path.Combine(parent, $"{Path.GetFileName(data)}.before-restore-{stamp}");
                try
                {
                    Directory.Move(staged, previous);
                }
                catch (IOException)
                {
                    previous = staged;
                }

                return new Result(manifest, previous, config);
            }
            catch when (!swapped)
            {
                foreach (var name in moved)
                {
                    Directory.Move(Path.Combine(staged, name), Path.Combine(data, name));
                }

                throw;
            }
            finally
            {
                if (Directory.Exists(staging) && (!swapped || !Directory.Exists(staged)))
                {
                    Directory.Delete(staging, recursive: true);
                }
            }
        }
    }
}
