using System.Security.Cryptography;
using System.Runtime.Versioning;
using Appliance.Updates.Apply;

namespace Appliance.Cli;

/// <summary>
/// The command operators type, <c>/usr/local/bin/appliance</c> (decision 0094): a symbolic link to
/// <c>LIB/current/appliance</c>, where <c>LIB</c> (/usr/local/lib/appliance, root's, 0755) holds one folder per
/// release binary, named <c>VERSION-SHA256PREFIX</c>, and <c>current</c> is a relative link to one of them.
/// <para>
/// Nothing here ever writes to a path a process may be running from. A single-file .NET process re-opens its own
/// file by path each time it loads an assembly, so replacing that path (even by rename) under a running
/// `update import` crashed it (exit 134). A folder is filled under a temporary name and renamed into place once;
/// its name includes the binary's hash, so a name never changes meaning; moving to another release only switches
/// the `current` link by rename(2) (<see cref="LinkSwitch"/>). A running command resolved its path through the
/// links at start (/proc/self/exe), so it keeps reading its own, untouched folder.
/// </para>
/// <para>
/// Why not a link straight into /var/lib/appliance/updates/current: the data folder is 0700 for the service user,
/// so only root could follow it; operators in appliance-admin could not run the command at all.
/// </para>
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class OperatorCommand(string library, string command)
{
    private const string BinaryName = "appliance";
    private const string CurrentName = "current";
    private const string TemporaryPrefix = ".tmp-";

    private static readonly UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>The folder of release copies (LIB).</summary>
    public string Library { get; } = Path.GetFullPath(library);

    /// <summary>The link operators run (/usr/local/bin/appliance).</summary>
    public string Command { get; } = Path.GetFullPath(command);

    /// <summary>What <see cref="Command"/> links to.</summary>
    public string CurrentBinary => Path.Combine(Library, CurrentName, BinaryName);

    /// <summary>
    /// Makes the command run <paramref name="releaseBinary"/> (the updater's current release, <paramref name="version"/>):
    /// copies it into a new folder unless an identical copy is there, points `current` at it, makes sure the command
    /// link exists, and deletes copies of releases no longer in <paramref name="keepVersions"/>. Returns the folder name.
    /// </summary>
    public string Sync(string releaseBinary, string version, IReadOnlyCollection<string> keepVersions)
    {
        ArgumentNullException.ThrowIfNull(keepVersions);
        Directory.CreateDirectory(Library);
        File.SetUnixFileMode(Library, Executable);
        var name = version + "-" + HashPrefix(releaseBinary);
        var folder = Path.Combine(Library, name);
        if (!Directory.Exists(folder))
        {
            Stage(releaseBinary, folder);
        }

        if (LinkSwitch.Target(Path.Combine(Library, CurrentName)) != name)
        {
            LinkSwitch.Point(Path.Combine(Library, CurrentName), name);
        }

        if (new FileInfo(Command).LinkTarget != CurrentBinary)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Command)!);
            LinkSwitch.Point(Command, CurrentBinary);
        }

        Prune(name, keepVersions);
        return name;
    }

    /// <summary>
    /// Points `current` at a copy of <paramref name="version"/> root already made (the newest if several), without reading
    /// any other file; false when there is none. Used where the release binary itself cannot be trusted (`update recover`).
    /// </summary>
    public bool TryPoint(string version)
    {
        if (!IsCopyOf(CurrentFolder(), version))
        {
            var copy = Directory.Exists(Library)
                ? Directory.EnumerateDirectories(Library)
                    .Select(p => new DirectoryInfo(p))
                    .Where(d => d.LinkTarget is null && IsCopyOf(d.Name, version) && File.Exists(Path.Combine(d.FullName, BinaryName)))
                    .OrderByDescending(d => d.LastWriteTimeUtc)
                    .FirstOrDefault()
                : null;
            if (copy is null)
            {
                return false;
            }

            LinkSwitch.Point(Path.Combine(Library, CurrentName), copy.Name);
        }

        if (new FileInfo(Command).LinkTarget != CurrentBinary)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Command)!);
            LinkSwitch.Point(Command, CurrentBinary);
        }

        return true;
    }

    /// <summary>VERSION-HASH names a copy of <paramref name="version"/>.</summary>
    private static bool IsCopyOf(string? folder, string version) =>
        folder is not null && folder.StartsWith(version + "-", StringComparison.Ordinal) && folder.LastIndexOf('-') == version.Length;

    /// <summary>The release folder `current` names, or null when there is none.</summary>
    public string? CurrentFolder() => LinkSwitch.Target(Path.Combine(Library, CurrentName));

    /// <summary>
    /// Uninstall: removes the command link and, with <paramref name="copies"/>, every copy except the one this very
    /// process runs from (deleting that would break its next assembly load). Returns that folder when it was kept.
    /// </summary>
    public string? Remove(bool copies)
    {
        File.Delete(Command);

        if (!copies || !Directory.Exists(Library))
        {
            return null;
        }

        var own = OwnFolder();
        foreach (var entry in Directory.EnumerateFileSystemEntries(Library))
        {
            if (!string.Equals(entry, own, StringComparison.Ordinal))
            {
                DeleteEntry(entry);
            }
        }

        if (own is null)
        {
            Directory.Delete(Library);
        }

        return own;
    }

    private void Stage(string releaseBinary, string folder)
    {
        var temporary = Path.Combine(Library, TemporaryPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Directory.CreateDirectory(temporary);
        try
        {
            var target = Path.Combine(temporary, BinaryName);
            using (var source = File.OpenRead(releaseBinary))
            using (var copy = new FileStream(target, FileMode.CreateNew, FileAccess.Write))
            {
                source.CopyTo(copy);
                copy.Flush(flushToDisk: true);
            }

            File.SetUnixFileMode(target, Executable);
            File.SetUnixFileMode(temporary, Executable);
            Directory.Move(temporary, folder);
        }
        catch
        {
            Directory.Delete(temporary, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Keeps the current copy, copies of releases the updater still keeps (a command started before the switch may
    /// still run from one) and the copy this process runs from; temporary folders of a killed sync go after an hour.
    /// </summary>
    private void Prune(string current, IReadOnlyCollection<string> keepVersions)
    {
        var own = OwnFolder();
        foreach (var entry in Directory.EnumerateDirectories(Library))
        {
            var name = Path.GetFileName(entry);
            if (name == CurrentName)
            {
                continue;
            }

            if (name.StartsWith(TemporaryPrefix, StringComparison.Ordinal))
            {
                if (Directory.GetLastWriteTimeUtc(entry) < DateTime.UtcNow.AddHours(-1))
                {
                    DeleteEntry(entry);
                }

                continue;
            }

            var dash = name.LastIndexOf('-');
            var version = dash > 0 ? name[..dash] : name;
            if (name == current || keepVersions.Contains(version) || string.Equals(entry, own, StringComparison.Ordinal))
            {
                continue;
            }

            DeleteEntry(entry);
        }
    }

    /// <summary>
    /// The copy folder this process runs from, or null when it runs from elsewhere. /proc/self/exe is the path with
    /// every link resolved (the kernel's), so a command started as /usr/local/bin/appliance names its VERSION-HASH
    /// folder here, not `current`.
    /// </summary>
    private string? OwnFolder()
    {
        var resolved = new FileInfo("/proc/self/exe").LinkTarget;
        var folder = resolved is null ? null : Path.GetDirectoryName(resolved);
        return folder is not null && string.Equals(Path.GetDirectoryName(folder), Library, StringComparison.Ordinal) ? folder : null;
    }

    private static void DeleteEntry(string entry)
    {
        try
        {
            if (new FileInfo(entry).LinkTarget is not null || File.Exists(entry))
            {
                File.Delete(entry);
            }
            else
            {
                Directory.Delete(entry, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next sync; tidying must never fail the update that has already switched.
        }
    }

    private static string HashPrefix(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..16];
    }
}
