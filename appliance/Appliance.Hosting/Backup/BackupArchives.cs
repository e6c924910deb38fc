using System.Globalization;
using System.Text.RegularExpressions;

namespace Appliance.Hosting.Backup;

/// <summary>
/// The archives in a backup folder: `appliance-backup-&lt;UTC stamp&gt;.tar`, written as `.…partial` and renamed
/// when complete, so a backup killed half-way never looks like a backup. Pre-migration database copies that Storage
/// keeps in the same folder (`appliance-0001-….db`) are not archives and are never pruned here.
/// </summary>
public static partial class BackupArchives
{
    public const string Prefix = "appliance-backup-";
    public const string Extension = ".tar";

    /// <summary>Appended to archives encrypted to backup.encrypt_to (age v1: `appliance-backup-STAMP.tar.age`).</summary>
    public const string EncryptedSuffix = ".age";
    public const string PartialSuffix = ".partial";
    private const string StampFormat = "yyyyMMdd'T'HHmmssfff'Z'";

    public static string FileNameFor(DateTimeOffset at, bool encrypted = false) =>
        Prefix + at.UtcDateTime.ToString(StampFormat, CultureInfo.InvariantCulture) + Extension + (encrypted ? EncryptedSuffix : "");

    public static bool IsEncrypted(string archive) => archive.EndsWith(Extension + EncryptedSuffix, StringComparison.Ordinal);

    /// <summary>Complete archives, oldest first.</summary>
    public static IReadOnlyList<string> List(string folder) =>
        !Directory.Exists(folder)
            ? []
            : Directory.EnumerateFiles(folder, Prefix + "*" + Extension + "*")
                .Where(f => ArchiveName().IsMatch(Path.GetFileName(f)))
                .Order(StringComparer.Ordinal)
                .ToList();

    public static string? Newest(string folder) => List(folder) is { Count: > 0 } archives ? archives[^1] : null;

    /// <summary>When an archive was taken, from its name.</summary>
    public static DateTimeOffset? TakenAt(string archive)
    {
        var match = ArchiveName().Match(Path.GetFileName(archive));
        return match.Success && DateTime.TryParseExact(match.Groups[1].Value, StampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            ? new DateTimeOffset(at, TimeSpan.Zero)
            : null;
    }

    /// <summary>Deletes the oldest archives beyond <paramref name="keep"/>; returns what was deleted.</summary>
    public static IReadOnlyList<string> Prune(string folder, int keep)
    {
        var archives = List(folder);
        var doomed = archives.Take(Math.Max(0, archives.Count - keep)).ToList();
        foreach (var archive in doomed)
        {
            File.Delete(archive);
        }

        return doomed;
    }

    /// <summary>Removes what an interrupted backup left (partial archives, staging folders).</summary>
    public static void RemoveLeftovers(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var partial in Directory.EnumerateFiles(folder, "." + Prefix + "*" + PartialSuffix))
        {
            File.Delete(partial);
        }

        foreach (var staging in Directory.EnumerateDirectories(folder, ".staging-*"))
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    [GeneratedRegex(@"^appliance-backup-(\d{8}T\d{9}Z)\.tar(\.age)?$")]
    private static partial Regex ArchiveName();
}
