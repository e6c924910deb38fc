using Appliance.Updates.Versioning;

namespace Appliance.Updates.Apply;

public sealed partial class Updater
{
    /// <summary>
    /// Finishes or reverses an apply that a killed process left in the journal, and empties staging/.
    /// A release that had passed its health check is committed; any other interrupted release is rolled back to
    /// the release it replaced. A content apply whose link had switched is committed; otherwise it is reversed.
    /// Run at service start with <paramref name="restart"/> false (ExecStartPre: systemd is about to start
    /// whatever `current` names) and from the CLI with true.
    /// </summary>
    public async Task<UpdateOutcome> RecoverAsync(bool restart, CancellationToken cancellationToken)
    {
        if (!UpdateLock.TryAcquire(_paths, out var held))
        {
            return new UpdateOutcome(UpdateResult.Refused, UpdateLock.BusyMessage);
        }

        using (held)
        {
            return await RecoverLockedAsync(restart, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<UpdateOutcome> RecoverLockedAsync(bool restart, CancellationToken cancellationToken)
    {
        DeleteDirectory(_paths.Staging);
        LinkSwitch.CleanTemporaries(_paths.Root);
        var state = _journal.LoadState();
        if (state.Pending is not { } pending)
        {
            return new UpdateOutcome(UpdateResult.NothingToDo, "no interrupted apply");
        }

        if (!ApplianceVersion.TryParse(pending.Version, out var version))
        {
            throw new InvalidDataException($"{_paths.State} names an interrupted apply of an invalid version '{pending.Version}'");
        }

        return pending.Kind switch
        {
            "release" => await RecoverReleaseAsync(state, pending, version, restart, cancellationToken).ConfigureAwait(false),
            "rollback" => await RecoverRollbackAsync(state, pending, version, restart, cancellationToken).ConfigureAwait(false),
            "content" => RecoverContent(state, pending, version),
            _ => throw new InvalidDataException($"{_paths.State} names an interrupted apply of unknown kind '{pending.Kind}'"),
        };
    }

    private async Task<UpdateOutcome> RecoverReleaseAsync(UpdateStateDocument state, PendingApplyDocument pending,
        ApplianceVersion version, bool restart, CancellationToken cancellationToken)
    {
        if (pending.Step == nameof(ApplyStep.HealthChecked) && LinkSwitch.Target(_paths.Current) == _paths.ReleaseLinkTarget(version))
        {
            CommitRelease(state, version, pending.From!);
            _journal.Append(Entry("recover", version, pending.From, "recovered", $"the apply of {version} had passed its health check; completed"));
            return new UpdateOutcome(UpdateResult.Recovered, $"completed the interrupted apply of release {version}");
        }

        if (!ApplianceVersion.TryParse(pending.From, out var from))
        {
            throw new InvalidDataException($"{_paths.State} names an interrupted apply without a release to return to");
        }

        await PointCurrentAsync(from, restart, cancellationToken).ConfigureAwait(false);
        if (from != version)
        {
            DeleteDirectory(_paths.Release(version));
        }

        _journal.SaveState(state with { Current = from.ToString(), Pending = null });
        var detail = $"the apply of {version} was interrupted at step {pending.Step}; rolled back to {from}";
        _journal.Append(Entry("recover", version, from.ToString(), "rolled-back", detail));
        return new UpdateOutcome(UpdateResult.Recovered, detail);
    }

    /// <summary>An interrupted operator rollback is completed: the operator asked for it and the target is on disk.</summary>
    private async Task<UpdateOutcome> RecoverRollbackAsync(UpdateStateDocument state, PendingApplyDocument pending,
        ApplianceVersion target, bool restart, CancellationToken cancellationToken)
    {
        await PointCurrentAsync(target, restart, cancellationToken).ConfigureAwait(false);
        _journal.SaveState(state with { Current = target.ToString(), Previous = pending.From, Pending = null });
        var detail = $"the rollback to {target} was interrupted at step {pending.Step}; completed";
        _journal.Append(Entry("recover", target, pending.From, "recovered", detail));
        return new UpdateOutcome(UpdateResult.Recovered, detail);
    }

    private UpdateOutcome RecoverContent(UpdateStateDocument state, PendingApplyDocument pending, ApplianceVersion version)
    {
        var linked = LinkSwitch.Target(_paths.Content);
        if (linked == UpdatePaths.ContentLinkTarget(version))
        {
            _journal.SaveState(state with { Content = version.ToString(), PreviousContent = pending.From, Pending = null });
            _journal.Append(Entry("recover", version, pending.From, "recovered", $"the content apply of {version} had switched; completed"));
            return new UpdateOutcome(UpdateResult.Recovered, $"completed the interrupted content apply of {version}");
        }

        if (pending.From != version.ToString())
        {
            DeleteDirectory(_paths.ContentVersionDir(version));
        }

        _journal.SaveState(state with { Pending = null });
        var detail = $"the content apply of {version} was interrupted at step {pending.Step}; content {pending.From ?? "(none)"} kept";
        _journal.Append(Entry("recover", version, pending.From, "rolled-back", detail));
        return new UpdateOutcome(UpdateResult.Recovered, detail);
    }

    private async Task PointCurrentAsync(ApplianceVersion version, bool restart, CancellationToken cancellationToken)
    {
        var target = _paths.ReleaseLinkTarget(version);
        if (LinkSwitch.Target(_paths.Current) == target)
        {
            return;
        }

        if (!File.Exists(_paths.ReleaseBinary(version)))
        {
            throw new InvalidDataException($"cannot return to release {version}: {_paths.ReleaseBinary(version)} is missing");
        }

        LinkSwitch.Point(_paths.Current, target);
        if (restart)
        {
            await _restarter.RestartAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
