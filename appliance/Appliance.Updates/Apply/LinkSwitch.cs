using System.Security.Cryptography;
using Appliance.Updates.Platform;

namespace Appliance.Updates.Apply;

/// <summary>
/// Points a symbolic link at a new target atomically: create a link under a temporary name beside it, then
/// rename(2) it over the old one. At every instant the link exists and names either the old or the new target.
/// </summary>
public static class LinkSwitch
{
    public static void Point(string link, string relativeTarget)
    {
        var directory = Path.GetDirectoryName(link)!;
        var temp = Path.Combine(directory, "." + Path.GetFileName(link) + ".tmp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        File.CreateSymbolicLink(temp, relativeTarget);
        try
        {
            PosixFile.Rename(temp, link);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        PosixFile.FsyncDirectory(directory);
    }

    /// <summary>The link's target as written (relative), or null if there is no link.</summary>
    public static string? Target(string link)
    {
        var info = new FileInfo(link);
        return info.LinkTarget;
    }

    public static void Remove(string link)
    {
        if (Target(link) is not null)
        {
            File.Delete(link);
            PosixFile.FsyncDirectory(Path.GetDirectoryName(link)!);
        }
    }

    /// <summary>Removes temporary links a killed switch may have left (".NAME.tmp-*").</summary>
    public static void CleanTemporaries(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var path in Directory.EnumerateFileSystemEntries(directory, ".*.tmp-*"))
        {
            File.Delete(path);
        }
    }
}
