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
    public Task<UpdateOutcome> RecoverAsync(bool restart, CancellationToken cancellationToken) =>
        RecoverAsync(restart, checks: null, cancellationToken);

    /// <summary>
    /// Recovery as root runs it before every start (<paramref name="checks"/> given): a planted update.lock is replaced
    /// (never followed), and the record is checked before it is trusted (<see cref="RecordedRelease"/>). A record
    /// root could not have written alone (the updates root or state.json a link, another user's, or writable by
    /// others) is not used: `current` goes back to <see cref="RecoverChecks.KnownGood"/> and state.json is written
    /// afresh naming it. A trusted record whose `current` names another release than the recorded one (and no apply
    /// in progress) gets `current` pointed back at the recorded release. Each is reported.
    /// </summary>
    public async Task<UpdateOutcome> RecoverAsync(bool restart, RecoverChecks? checks, CancellationToken cancellationToken)
    {
        if (checks is not null && !RecordedRelease.IsRealFolder(_paths.Root) && new FileInfo(_paths.Root).LinkTarget is not null)
        {
            // An updates root that is a link: nothing is read, locked or written through it (the repair refuses it too, 8022).
            var detail = $"{_paths.Root} is a symbolic link; nothing read or written through it, current left as it is";
            checks.BeforeRecovery?.Invoke();
            checks.Report(new RecoverFinding(RecoverFindingKind.StateUntrusted, _paths.Root, detail));
            return new UpdateOutcome(UpdateResult.Recovered, detail);
        }

        if (!UpdateLock.TryAcquire(_paths, out var held, replaceUnsafe: checks is not null,
            replaced: e => checks?.Report(new RecoverFinding(RecoverFindingKind.LockReplaced, e.Path, e.Message))))
        {
            return new UpdateOutcome(UpdateResult.Refused, UpdateLock.BusyMessage);
        }

        using (held)
        {
            if (checks is null)
            {
                return await RecoverLockedAsync(restart, cancellationToken).ConfigureAwait(false);
            }

            // Read before the ownership repair: it makes every file under the root root's, a planted one too.
            var recorded = RecordedRelease.Inspect(_paths);

            // An old install's root.json moves to root's pin now, before the repair could make a planted one root's.
            if (MoveDataFolderRootMetadataLocked(recorded.Problem) is { } moved)
            {
                checks.Report(moved);
            }

            checks.BeforeRecovery?.Invoke();
            if (!recorded.Trusted)
            {
                return await FallBackToKnownGoodAsync(recorded, checks, restart, cancellationToken).ConfigureAwait(false);
            }

            var repointed = await PointBackToRecordedAsync(recorded, checks, restart, cancellationToken).ConfigureAwait(false);
            var outcome = await RecoverLockedAsync(restart, cancellationToken).ConfigureAwait(false);
            return repointed is not null && outcome.Result == UpdateResult.NothingToDo ? repointed : outcome;
        }
    }

    private async Task<UpdateOutcome> FallBackToKnownGoodAsync(RecordedState recorded, RecoverChecks checks, bool restart, CancellationToken cancellationToken)
    {
        if (recorded.RootUnusable)
        {
            checks.Report(new RecoverFinding(RecoverFindingKind.StateUntrusted, _paths.Root, $"{recorded.Problem}; nothing written through it, current left as it is"));
            return new UpdateOutcome(UpdateResult.Recovered, $"the update record is not trusted ({recorded.Problem}); nothing changed");
        }

        if (checks.KnownGood is not { } known)
        {
            checks.Report(new RecoverFinding(RecoverFindingKind.StateUntrusted, _paths.State, $"{recorded.Problem}; no known-good release to fall back to, current left as it is"));
            return new UpdateOutcome(UpdateResult.Recovered, $"the update record is not trusted ({recorded.Problem}); nothing changed");
        }

        checks.Report(new RecoverFinding(RecoverFindingKind.StateUntrusted, _paths.State, $"{recorded.Problem}; falling back to the known-good release {known}"));
        if (RecordedRelease.ReleaseProblem(_paths, known) is { } problem)
        {
            checks.Report(new RecoverFinding(RecoverFindingKind.KnownGoodUnavailable, _paths.Release(known), $"cannot return to {known}: {problem}; current left as it is"));
            return new UpdateOutcome(UpdateResult.Recovered, $"the update record is not trusted ({recorded.Problem}) and {known} is not on disk; nothing changed");
        }

        DeleteDirectory(_paths.Staging);
        LinkSwitch.CleanTemporaries(_paths.Root);
        await PointCurrentAsync(known, restart, cancellationToken).ConfigureAwait(false);

        // Written afresh by root: nothing of the untrusted record survives (no previous release, no interrupted apply).
        _journal.SaveState(new UpdateStateDocument(1, known.ToString(), null, null, null, null));
        var detail = $"the update record was not trusted ({recorded.Problem}); current points at the known-good release {known}";
        _journal.Append(Entry("recover", known, null, "rolled-back", detail));
        return new UpdateOutcome(UpdateResult.Recovered, detail);
    }

    private async Task<UpdateOutcome?> PointBackToRecordedAsync(RecordedState recorded, RecoverChecks checks, bool restart, CancellationToken cancellationToken)
    {
        if (recorded.State is not { Pending: null } state || !ApplianceVersion.TryParse(state.Current, out var version)
            || recorded.CurrentTarget == _paths.ReleaseLinkTarget(version))
        {
            // An apply in progress switches `current` before it records the release; recovery below settles it.
            return null;
        }

        if (RecordedRelease.ReleaseProblem(_paths, version) is { } problem)
        {
            checks.Report(new RecoverFinding(RecoverFindingKind.KnownGoodUnavailable, _paths.Release(version), $"current names {recorded.CurrentTarget ?? "nothing"}, not the recorded release {version}, which cannot be returned to: {problem}; current left as it is"));
            return null;
        }

        var detail = $"current named {recorded.CurrentTarget ?? "nothing"} instead of the recorded release {version}; pointed back at {version}";
        checks.Report(new RecoverFinding(RecoverFindingKind.CurrentRepointed, _paths.Current, detail));
        await PointCurrentAsync(version, restart, cancellationToken).ConfigureAwait(false);
        _journal.Append(Entry("recover", version, null, "rolled-back", detail));
        return new UpdateOutcome(UpdateResult.Recovered, detail);
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
