using Appliance.Updates.Platform;
using Appliance.Updates.Trust;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Apply;

public sealed partial class Updater
{
    /// <summary>
    /// Pins root metadata (<paramref name="install"/>: only when none is pinned, and it must meet its own
    /// threshold) or rotates it (the next version, signed by the pinned root's threshold and its own).
    /// A refused document changes nothing.
    /// </summary>
    public RootCheck ImportRoot(ReadOnlySpan<byte> file, bool install)
    {
        if (!RootMetadata.TryParse(file, out var candidate, out var error))
        {
            return RootCheck.Refused(error);
        }

        if (install)
        {
            Directory.CreateDirectory(_paths.Root);
        }

        if (!UpdateLock.TryAcquire(_paths, out var held))
        {
            return RootCheck.Refused(UpdateLock.BusyMessage);
        }

        using var gate = held;
        RootCheck check;
        int? from = null;
        if (install)
        {
            if (PinnedRootFile.Exists(_paths.RootMetadata))
            {
                return RootCheck.Refused($"root metadata is already pinned at {_paths.RootMetadata}; rotate it instead of reinstalling");
            }

            check = RootRotation.CheckInitial(candidate!);
        }
        else
        {
            if (!TryLoadRoot(out var current, out error))
            {
                return RootCheck.Refused(error);
            }

            from = current!.Version;
            check = RootRotation.CheckRotation(current, candidate!);
        }

        if (!check.IsAccepted)
        {
            return check;
        }

        Directory.CreateDirectory(_paths.Root);
        CreatePinFolder();
        AtomicFile.Write(_paths.RootMetadata, file);
        _journal.Append(Entry(install ? "root-pin" : "root-rotate", null, from?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "applied", $"root metadata version {candidate!.Version} pinned"));
        return check;
    }

    public RootMetadata? PinnedRoot() => TryLoadRoot(out var root, out _) ? root : null;

    /// <summary>The version state.json, the current link or the installed-version option name.</summary>
    public ApplianceVersion? Running() => RunningVersion(_journal.LoadState());
}
