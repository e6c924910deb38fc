using System.Runtime.Versioning;

namespace Appliance.Updates.Apply;

/// <summary>
/// The operators' copy of the release that runs (/usr/local/bin/appliance in the installed layout). It cannot be a
/// link: the release lives in the service user's 0700 data folder, which operators in appliance-admin cannot enter
/// (docs/decisions/0081-installed-layout.md). The copy follows the `current` link whenever root touches the layout:
/// `install`, `update import|rollback`, and `update recover`, which the unit runs as root (ExecStartPre=+) before
/// every start, so after any switch, by whoever made it, the next start leaves the copy matching the release.
/// </summary>
[SupportedOSPlatform("linux")]
public static class OperatorCommandCopy
{
    private const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>
    /// Makes <paramref name="target"/> a 0755 copy of <paramref name="release"/> unless it already is one (same length
    /// and modification time, which the copy takes from the release). Written beside the target and renamed over
    /// it, so an operator running the old copy keeps running it and nobody ever sees half a binary.
    /// </summary>
    /// <returns>True when the copy was (re)written.</returns>
    public static bool Refresh(string release, string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(release);
        ArgumentException.ThrowIfNullOrEmpty(target);
        var source = new FileInfo(release);
        var existing = new FileInfo(target);
        if (existing.Exists && existing.Length == source.Length && existing.LastWriteTimeUtc == source.LastWriteTimeUtc)
        {
            return false;
        }

        var temporary = target + ".new";
        File.Copy(release, temporary, overwrite: true);
        File.SetUnixFileMode(temporary, Executable);
        File.SetLastWriteTimeUtc(temporary, source.LastWriteTimeUtc);
        File.Move(temporary, target, overwrite: true);
        return true;
    }
}
