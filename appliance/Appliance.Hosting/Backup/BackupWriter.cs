using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Appliance.Hosting.Backup.Encryption;
using Appliance.Hosting.Health;
using Appliance.Storage.Files;

namespace Appliance.Hosting.Backup;

/// <summary>
/// `backup create`: one tar archive holding an online copy of the database, the rest of the data folder (keys, CA,
/// update content with the identity file and policy), the config file and an external policy file, closed by
/// manifest.json with every file's SHA-256 and a summary of the tailnet. The archive is written as a hidden
/// `.partial` file, flushed to disk and only then renamed: a full disk or a kill -9 leaves no half archive under an
/// archive's name, and earlier archives are never touched (pruning runs only after a new one is complete).
/// With `backup.encrypt_to` the tar is written through an age v1 encryptor (<see cref="AgeFile"/>) straight into the
/// file, so no plaintext copy touches the disk, and the archive is `.tar.age`: the appliance holds only the public
/// key and cannot read it back (decision 0093-audit-backup-encryption). Either way the archive is 0600 in a 0700 folder.
/// </summary>
public static class BackupWriter
{
    public static string Create(BackupSources sources, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(sources);
        SecureFiles.EnsureDirectory(sources.BackupDir);
        BackupArchives.RemoveLeftovers(sources.BackupDir);
        var final = Path.Combine(sources.BackupDir, BackupArchives.FileNameFor(now, encrypted: sources.EncryptTo is not null));
        var partial = Path.Combine(sources.BackupDir, "." + Path.GetFileName(final) + BackupArchives.PartialSuffix);
        var staging = Path.Combine(sources.BackupDir, ".staging-" + Guid.NewGuid().ToString("N"));
        try
        {
            SecureFiles.EnsureDirectory(staging);
            var database = BackupStorage.CopyDatabase(sources.DataDir, staging, now);
            var policyText = sources.PolicyFile is { } policy && File.Exists(policy) ? File.ReadAllText(policy) : null;
            var summary = BackupStorage.ReadSummary(database, policyText);
            var files = new List<BackupFile>();
            SecureFiles.EnsureFile(partial);
            using (var stream = new FileStream(partial, FileMode.Truncate, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                var archiveStream = sources.EncryptTo is { } recipient ? AgeFile.Encrypt(stream, recipient) : stream;
                using (var tar = new TarWriter(archiveStream, TarEntryFormat.Pax, leaveOpen: true))
                {
                    files.Add(AddFile(tar, database, "data/" + DataDirectory.DatabaseFileName));
                    AddDataFolder(tar, sources.DataDir, sources.DataDir, files);
                    if (sources.ConfigFile is { } config && File.Exists(config))
                    {
                        files.Add(AddFile(tar, config, "config/" + Path.GetFileName(config)));
                    }

                    if (sources.PolicyFile is { } policyFile && File.Exists(policyFile))
                    {
                        files.Add(AddFile(tar, policyFile, "policy/" + Path.GetFileName(policyFile)));
                    }

                    var manifest = new BackupManifest(BackupManifest.CurrentFormat, now, HealthEndpoints.RunningVersion, BackupStorage.SchemaVersion(database), files, summary);
                    var json = JsonSerializer.SerializeToUtf8Bytes(manifest, BackupJsonContext.Default.BackupManifest);
                    var entry = new PaxTarEntry(TarEntryType.RegularFile, BackupManifest.EntryName) { DataStream = new MemoryStream(json), Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
                    tar.WriteEntry(entry);
                }

                if (!ReferenceEquals(archiveStream, stream))
                {
                    archiveStream.Dispose(); // seals the final chunk
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(partial, final);
            return final;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            TryDelete(partial);
            throw new BackupException(Describe(exception, sources.BackupDir), exception);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static string Describe(Exception exception, string folder) =>
        // ENOSPC (28) from the file system, SQLITE_FULL (13) from the database copy.
        (exception is IOException && (exception.HResult & 0xFFFF) == 28)
            || Appliance.Storage.Database.DatabaseArchive.IsDiskFull(exception)
            || exception.Message.Contains("space", StringComparison.OrdinalIgnoreCase)
            ? $"backup failed: not enough space in {folder} ({exception.Message}); free space or set backup.dir elsewhere. Earlier archives are untouched."
            : $"backup failed: {exception.Message}. Earlier archives are untouched.";

    private static void AddDataFolder(TarWriter tar, string root, string folder, List<BackupFile> files)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (BackupSources.Excluded.Contains(relative) || relative is "updates/releases" or "updates/staging" or "updates/current"
                || Path.GetFileName(path).StartsWith(".staging-", StringComparison.Ordinal))
            {
                continue;
            }

            var info = new FileInfo(path);
            if (info.LinkTarget is { } target)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "data/" + relative) { LinkName = target });
                files.Add(new BackupFile("data/" + relative, -1, "link:" + target));
            }
            else if (Directory.Exists(path))
            {
                AddDataFolder(tar, root, path, files);
            }
            else if (info.Exists && (info.Attributes & FileAttributes.Device) == 0 && !IsSocket(path))
            {
                files.Add(AddFile(tar, path, "data/" + relative));
            }
        }
    }

    private static bool IsSocket(string path)
    {
        try
        {
            using var _ = File.OpenRead(path);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static BackupFile AddFile(TarWriter tar, string path, string name)
    {
        using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var hash = SHA256.HashData(source);
        source.Position = 0;
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = source,
            Mode = OperatingSystem.IsWindows() ? UnixFileMode.UserRead | UnixFileMode.UserWrite : File.GetUnixFileMode(path),
            ModificationTime = File.GetLastWriteTimeUtc(path),
        };
        tar.WriteEntry(entry);
        return new BackupFile(name, source.Length, Convert.ToHexStringLower(hash));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
