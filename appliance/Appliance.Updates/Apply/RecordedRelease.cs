using System.Runtime.InteropServices;
using System.Text.Json;
using Appliance.Updates.Json;
using Appliance.Updates.Platform;
using Appliance.Updates.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Updates.Apply;

/// <summary>What state.json records and what `current` names, read without following a link; <see cref="Problem"/> says why the record is not trusted.</summary>
/// <param name="State">The recorded state; null when there is none (a root without state.json) or it is not trusted.</param>
/// <param name="CurrentTarget">The `current` link's target as written, or null.</param>
/// <param name="RootUnusable">The updates root itself is a link or not a folder: nothing may be written through it.</param>
internal sealed record RecordedState(UpdateStateDocument? State, string? CurrentTarget, string? Problem, bool RootUnusable = false)
{
    public bool Trusted => Problem is null;
}

/// <summary>
/// Reads the updater's own record the way root must before it trusts it (`update recover`, the unit's ExecStartPre):
/// the updates root is opened O_PATH|O_NOFOLLOW|O_DIRECTORY, state.json O_NOFOLLOW|O_CLOEXEC relative to it, and
/// `current` with readlinkat(2) relative to it. Each must belong to the user running the updater (root on the installed
/// appliance) and be writable by nobody else (group write only for group 0); state.json must be a regular file with one
/// link and at most <see cref="MaxStateSize"/> bytes. A record that fails is not read at all.
/// </summary>
internal static class RecordedRelease
{
    /// <summary>state.json is a few hundred bytes; anything this large was not written by the updater.</summary>
    public const int MaxStateSize = 1 << 20;

    private const string StateFile = "state.json";
    private const string CurrentLink = "current";

    public static RecordedState Inspect(UpdatePaths paths)
    {
        if (!NoFollow.Supported)
        {
            return new RecordedState(new UpdateJournal(paths).LoadState(), LinkSwitch.Target(paths.Current), null);
        }

        if (!Directory.Exists(paths.Root) && new FileInfo(paths.Root).LinkTarget is null)
        {
            // No updates root yet (a data folder without an installed release): nothing is recorded, nothing to distrust.
            return new RecordedState(null, null, null);
        }

        var root = OpenFolder(paths.Root, out var problem);
        if (root < 0)
        {
            return new RecordedState(null, null, problem, RootUnusable: !IsRealFolder(paths.Root));
        }

        try
        {
            var target = NoFollow.ReadLink(root, CurrentLink);
            var fd = NoFollow.Open(root, StateFile, NoFollow.ORdOnly | NoFollow.ONoFollow | NoFollow.OCloexec);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                return errno == NoFollow.ENoEnt
                    ? new RecordedState(null, target, null)
                    : new RecordedState(null, target, errno == NoFollow.ELoop
                        ? $"{paths.State} is a symbolic link"
                        : $"{paths.State} cannot be opened (errno {errno})");
            }

            using var handle = new SafeFileHandle(fd, ownsHandle: true);
            if (NoFollow.Stat(fd) is not { } status)
            {
                return new RecordedState(null, target, $"{paths.State} cannot be examined");
            }

            if ((FileProblem(status) ?? (status.Size > MaxStateSize ? $"is larger than {MaxStateSize} bytes" : null)) is { } wrong)
            {
                return new RecordedState(null, target, $"{paths.State} {wrong}");
            }

            using var stream = new FileStream(handle, FileAccess.Read);
            try
            {
                var state = JsonSerializer.Deserialize(stream, UpdatesJsonContext.Default.UpdateStateDocument);
                return state is null
                    ? new RecordedState(null, target, $"{paths.State} is empty")
                    : new RecordedState(state, target, null);
            }
            catch (JsonException e)
            {
                return new RecordedState(null, target, $"{paths.State} is damaged: {e.Message}");
            }
        }
        finally
        {
            NoFollow.Close(root);
        }
    }

    /// <summary>
    /// Why the release folder RELEASES/VERSION and its binary cannot be returned to (missing, a link, another owner,
    /// group/other write), or null when they can.
    /// </summary>
    public static string? ReleaseProblem(UpdatePaths paths, ApplianceVersion version)
    {
        if (!NoFollow.Supported)
        {
            return File.Exists(paths.ReleaseBinary(version)) ? null : $"{paths.ReleaseBinary(version)} is missing";
        }

        var releases = OpenFolder(paths.Releases, out var problem);
        if (releases < 0)
        {
            return problem;
        }

        try
        {
            var release = OpenFolder(releases, paths.Release(version), out problem);
            if (release < 0)
            {
                return problem;
            }

            try
            {
                var binary = NoFollow.Open(release, "appliance", NoFollow.OPath | NoFollow.ONoFollow | NoFollow.OCloexec);
                if (binary < 0)
                {
                    return $"{paths.ReleaseBinary(version)} is missing";
                }

                try
                {
                    var status = NoFollow.Stat(binary);
                    return status is null ? $"{paths.ReleaseBinary(version)} cannot be examined"
                        : status.Value.IsLink ? $"{paths.ReleaseBinary(version)} is a symbolic link"
                        : !status.Value.IsRegular ? $"{paths.ReleaseBinary(version)} is not a regular file"
                        : OwnerProblem(status.Value) is { } wrong ? $"{paths.ReleaseBinary(version)} {wrong}"
                        : null;
                }
                finally
                {
                    NoFollow.Close(binary);
                }
            }
            finally
            {
                NoFollow.Close(release);
            }
        }
        finally
        {
            NoFollow.Close(releases);
        }
    }

    /// <summary>True when <paramref name="path"/> is a folder itself, not a link to one.</summary>
    public static bool IsRealFolder(string path) => Directory.Exists(path) && new FileInfo(path).LinkTarget is null;

    /// <summary>Opens a folder the configuration names: its parent by path, the folder itself without following a link.</summary>
    private static int OpenFolder(string path, out string? problem)
    {
        var parent = NoFollow.Open(NoFollow.AtFdCwd, Path.GetDirectoryName(path) ?? "/", NoFollow.OPath | NoFollow.ODirectory | NoFollow.OCloexec);
        if (parent < 0)
        {
            problem = $"{Path.GetDirectoryName(path)} cannot be opened (errno {Marshal.GetLastPInvokeError()})";
            return -1;
        }

        try
        {
            return OpenFolder(parent, path, out problem);
        }
        finally
        {
            NoFollow.Close(parent);
        }
    }

    private static int OpenFolder(int parent, string path, out string? problem)
    {
        problem = null;
        var fd = NoFollow.Open(parent, Path.GetFileName(path), NoFollow.OPath | NoFollow.ONoFollow | NoFollow.ODirectory | NoFollow.OCloexec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            problem = errno switch
            {
                NoFollow.ENoEnt => $"{path} is missing",
                NoFollow.ELoop or NoFollow.ENotDir => $"{path} is a symbolic link or not a folder",
                _ => $"{path} cannot be opened (errno {errno})",
            };
            return -1;
        }

        var status = NoFollow.Stat(fd);
        var wrong = status is null ? "cannot be examined" : OwnerProblem(status.Value);
        if (wrong is not null)
        {
            NoFollow.Close(fd);
            problem = $"{path} {wrong}";
            return -1;
        }

        return fd;
    }

    private static string? FileProblem(NoFollow.Status status) =>
        !status.IsRegular ? "is not a regular file"
        : status.Links != 1 ? $"has {status.Links} hard links"
        : OwnerProblem(status);

    /// <summary>The owner must be the user running the updater; nobody else may write (group write only for group 0).</summary>
    internal static string? OwnerProblem(NoFollow.Status status) =>
        status.Uid != NoFollow.EffectiveUser ? $"belongs to uid {status.Uid}, not {NoFollow.EffectiveUser}"
        : WriteProblem(status);

    /// <summary>Nobody but the owner may write: no other-write, and group write only for group 0 (root's group).</summary>
    internal static string? WriteProblem(NoFollow.Status status) =>
        (status.Mode & 0x2) != 0 || ((status.Mode & 0x10) != 0 && status.Gid != 0)
            ? $"is writable by group or others (mode {Convert.ToString(status.Mode & 0xFFF, 8)})"
            : null;
}
