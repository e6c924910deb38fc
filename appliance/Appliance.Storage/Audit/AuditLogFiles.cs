using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Appliance.Storage.Audit;

/// <summary>
/// The audit folder (<c>&lt;data&gt;/audit</c>): files <c>audit-000001.log</c>, <c>audit-000002.log</c>, ... written
/// in number order; the highest is the one being appended to. Numbers never repeat, so rotation needs no rename.
/// </summary>
public static partial class AuditLogFiles
{
    public const string FolderName = "audit";
    public const string LockFileName = "audit.lock";

    public static string FolderOf(string dataDirectory) => Path.Combine(dataDirectory, FolderName);

    public static string NameOf(int number) => "audit-" + number.ToString("D6", CultureInfo.InvariantCulture) + ".log";

    /// <summary>The log files in order, with their numbers (empty when the folder does not exist).</summary>
    public static IReadOnlyList<(int Number, string Path)> List(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        return Directory.EnumerateFiles(folder, "audit-*.log")
            .Select(p => (Match: FileName().Match(Path.GetFileName(p)), Path: p))
            .Where(m => m.Match.Success)
            .Select(m => (int.Parse(m.Match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture), m.Path))
            .OrderBy(f => f.Item1)
            .ToList();
    }

    /// <summary>
    /// The lines of a file with their 1-based numbers; <c>Terminated</c> is false only for bytes after the last
    /// newline (a torn write).
    /// </summary>
    public static IEnumerable<(int Number, string Text, bool Terminated)> Lines(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var start = 0;
        var number = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                yield return (++number, Encoding.UTF8.GetString(bytes, start, i - start), true);
                start = i + 1;
            }
        }

        if (start < bytes.Length)
        {
            yield return (++number, Encoding.UTF8.GetString(bytes, start, bytes.Length - start), false);
        }
    }

    [GeneratedRegex(@"^audit-(\d{6})\.log$", RegexOptions.CultureInvariant)]
    private static partial Regex FileName();
}
