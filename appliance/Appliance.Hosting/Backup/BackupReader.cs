using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Appliance.Hosting.Backup.Encryption;
using Appliance.Storage.Files;

namespace Appliance.Hosting.Backup;

/// <summary>
/// Unpacks an archive into an empty folder and checks it against its manifest: every entry named in it, none
/// missing, none extra, sizes and SHA-256 equal, no path leaving the folder. A truncated or corrupt archive is
/// refused with the reason (and the caller's target is never the live data folder, so nothing is overwritten).
/// </summary>
public static class BackupReader
{
    /// <summary>Maximum size of manifest.json read into memory.</summary>
    private const int MaxManifestBytes = 16 * 1024 * 1024;

    /// <param name="identity">The age identity for an encrypted archive (`.tar.age`); every chunk is authenticated before it is unpacked.</param>
    public static BackupManifest Extract(string archive, string destination, AgeIdentity? identity = null)
    {
        ArgumentNullException.ThrowIfNull(archive);
        if (!File.Exists(archive))
        {
            throw new BackupException($"{archive} does not exist");
        }

        SecureFiles.EnsureDirectory(destination);
        var root = Path.GetFullPath(destination) + Path.DirectorySeparatorChar;
        var seen = new Dictionary<string, BackupFile>(StringComparer.Ordinal);
        BackupManifest? manifest = null;
        try
        {
            using var file = File.OpenRead(archive);
            using var stream = Open(archive, file, identity);
            using var tar = new TarReader(stream);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.Name == BackupManifest.EntryName)
                {
                    manifest = ReadManifest(entry, archive);
                    continue;
                }

                var target = Path.GetFullPath(Path.Combine(destination, entry.Name));
                if (!target.StartsWith(root, StringComparison.Ordinal) || entry.Name.Contains("..", StringComparison.Ordinal))
                {
                    throw new BackupException($"{archive} is not an appliance backup: entry '{entry.Name}' points outside the archive");
                }

                CreatePrivateDirectory(Path.GetDirectoryName(target)!);
                switch (entry.EntryType)
                {
                    case TarEntryType.SymbolicLink:
                        File.CreateSymbolicLink(target, entry.LinkName);
                        seen[entry.Name] = new BackupFile(entry.Name, -1, "link:" + entry.LinkName);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                        seen[entry.Name] = Write(entry, target);
                        break;
                    default:
                        throw new BackupException($"{archive} is not an appliance backup: entry '{entry.Name}' is a {entry.EntryType}");
                }
            }

            if (!ReferenceEquals(stream, file))
            {
                // TarReader stops at the end-of-archive blocks; reading through the final chunk proves the encrypted
                // file was not cut short or extended after them.
                stream.CopyTo(Stream.Null);
            }
        }
        catch (AgeDecryptionException exception)
        {
            throw new BackupException($"{archive} cannot be decrypted: {exception.Message}; nothing was restored from it", exception);
        }
        catch (Exception exception) when (exception is InvalidDataException or EndOfStreamException or FormatException or ArgumentException)
        {
            throw new BackupException($"{archive} is damaged or truncated ({exception.Message}); use an earlier archive", exception);
        }

        if (manifest is null)
        {
            throw new BackupException($"{archive} is damaged or truncated: it has no {BackupManifest.EntryName} (written last, so the archive was cut short)");
        }

        Check(archive, manifest, seen);
        return manifest;
    }

    private static Stream Open(string archive, FileStream file, AgeIdentity? identity)
    {
        var encrypted = AgeFile.IsAgeFile(archive);
        if (!encrypted)
        {
            return file;
        }

        if (identity is null)
        {
            throw new BackupException($"{archive} is encrypted (age); pass --identity FILE with the key of backup.encrypt_to");
        }

        return AgeFile.Decrypt(file, identity);
    }

    private static void Check(string archive, BackupManifest manifest, Dictionary<string, BackupFile> seen)
    {
        if (manifest.Format != BackupManifest.CurrentFormat)
        {
            throw new BackupException($"{archive} has backup format {manifest.Format}; this appliance reads format {BackupManifest.CurrentFormat}");
        }

        var problems = new List<string>();
        foreach (var expected in manifest.Files)
        {
            if (!seen.Remove(expected.Path, out var actual))
            {
                problems.Add($"{expected.Path} is missing");
            }
            else if (actual != expected)
            {
                problems.Add($"{expected.Path} does not match its checksum");
            }
        }

        problems.AddRange(seen.Keys.Select(extra => $"{extra} is not in the manifest"));
        if (problems.Count > 0)
        {
            throw new BackupException($"{archive} is damaged: {string.Join("; ", problems)}");
        }
    }

    private static BackupManifest ReadManifest(TarEntry entry, string archive)
    {
        if (entry.DataStream is null || entry.Length > MaxManifestBytes)
        {
            throw new BackupException($"{archive} has an unreadable {BackupManifest.EntryName}");
        }

        try
        {
            return JsonSerializer.Deserialize(entry.DataStream, BackupJsonContext.Default.BackupManifest)
                ?? throw new BackupException($"{archive} has an empty {BackupManifest.EntryName}");
        }
        catch (JsonException exception)
        {
            throw new BackupException($"{archive} has a damaged {BackupManifest.EntryName}: {exception.Message}", exception);
        }
    }

    /// <summary>Folders are created 0700: the CA and key folders refuse to load from anything wider.</summary>
    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static BackupFile Write(TarEntry entry, string target)
    {
        using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (entry.DataStream is { } data)
        {
            var buffer = new byte[81920];
            int read;
            while ((read = data.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                output.Write(buffer, 0, read);
            }
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(target, (entry.Mode & UnixFileMode.UserExecute) | UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return new BackupFile(entry.Name, output.Length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
