using System.Runtime.InteropServices;
using Appliance.Updates.Platform;
using Appliance.Updates.Trust;

namespace Appliance.Updates.Apply;

public sealed partial class Updater
{
    /// <summary>
    /// Moves an old install's trust root, ROOT/root.json in the data folder, to where this release pins it
    /// (<see cref="UpdatePaths.RootMetadata"/>, root's /usr/local/lib/appliance/root.json, decision 0112), once: only while
    /// nothing is pinned there yet. Called by `appliance install` (under the update lock). Returns what happened, or
    /// null when there was nothing to move.
    /// </summary>
    public RecoverFinding? MoveDataFolderRootMetadata()
    {
        if (!_paths.RootMetadataPinnedOutside || !PinnedRootFile.Exists(_paths.DataFolderRootMetadata) || PinnedRootFile.Exists(_paths.RootMetadata))
        {
            return null;
        }

        if (!UpdateLock.TryAcquire(_paths, out var held))
        {
            return new RecoverFinding(RecoverFindingKind.RootMetadataNotMoved, _paths.DataFolderRootMetadata, UpdateLock.BusyMessage);
        }

        using (held)
        {
            return MoveDataFolderRootMetadataLocked(untrusted: null);
        }
    }

    /// <param name="untrusted">Why recovery did not trust the updates root (<see cref="RecordedRelease"/>, read before the
    /// ownership repair), or null: an untrusted root gives nothing to move (the repair would make a planted file root's).</param>
    private RecoverFinding? MoveDataFolderRootMetadataLocked(string? untrusted)
    {
        var from = _paths.DataFolderRootMetadata;
        if (!_paths.RootMetadataPinnedOutside || !PinnedRootFile.Exists(from) || PinnedRootFile.Exists(_paths.RootMetadata))
        {
            // Nothing to move, or root's pin exists already: a root.json in the data folder is then never read.
            return null;
        }

        if (untrusted is not null)
        {
            return NotMoved($"the update record is not trusted ({untrusted})");
        }

        byte[]? bytes;
        string error;
        if (NoFollow.Supported)
        {
            // The data folder's copy must be what root itself left there: root's (only root; not the reader's), one link,
            // no group/other write, in a folder of root's, none of them a link.
            var euid = NoFollow.EffectiveUser;
            bytes = PinnedRootFile.ReadNoFollow(from, uid => uid == euid, out error, out _);
        }
        else
        {
            bytes = File.ReadAllBytes(from);
            error = "";
        }

        if (bytes is null)
        {
            return NotMoved(error);
        }

        if (!RootMetadata.TryParse(bytes, out var candidate, out error))
        {
            return NotMoved($"it is not valid root metadata: {error}");
        }

        var check = RootRotation.CheckInitial(candidate!);
        if (!check.IsAccepted)
        {
            return NotMoved(check.Reason);
        }

        try
        {
            CreatePinFolder();
            AtomicFile.Write(_paths.RootMetadata, bytes);
            RemoveDataFolderRootMetadata();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Never fails the start: without a pin, imports are refused until the operator pins one.
            return NotMoved(e.Message);
        }

        var detail = $"root metadata version {candidate!.Version} moved to {_paths.RootMetadata}, where root alone can change it; bundles are verified against that file only";
        _journal.Append(Entry("root-move", null, null, "applied", detail));
        return new RecoverFinding(RecoverFindingKind.RootMetadataMoved, from, detail);
    }

    private RecoverFinding NotMoved(string why) =>
        new(RecoverFindingKind.RootMetadataNotMoved, _paths.DataFolderRootMetadata,
            $"not moved to {_paths.RootMetadata}: {why}; bundles cannot be verified until the operator pins the USB folder's root.json ('appliance update root import --install root.json' or 'sh install.sh')");

    /// <summary>The pin's folder, root's and 0755 (the service reads the pin to show it and to check uploads).</summary>
    private void CreatePinFolder()
    {
        var folder = Path.GetDirectoryName(_paths.RootMetadata)!;
        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(folder, ExecutableMode);
            }
        }
    }

    /// <summary>Removes ROOT/root.json itself (a link is removed, never what it names), relative to the root opened without following a link.</summary>
    private void RemoveDataFolderRootMetadata()
    {
        if (!NoFollow.Supported)
        {
            File.Delete(_paths.DataFolderRootMetadata);
            return;
        }

        var root = NoFollow.Open(NoFollow.AtFdCwd, _paths.Root, NoFollow.OPath | NoFollow.ONoFollow | NoFollow.ODirectory | NoFollow.OCloexec);
        if (root < 0)
        {
            throw new IOException($"{_paths.Root} cannot be opened (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (NoFollow.Unlink(root, Path.GetFileName(_paths.DataFolderRootMetadata)) != 0 && Marshal.GetLastPInvokeError() != NoFollow.ENoEnt)
            {
                throw new IOException($"{_paths.DataFolderRootMetadata} cannot be removed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            NoFollow.Close(root);
        }
    }
}
