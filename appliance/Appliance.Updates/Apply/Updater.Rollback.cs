using Appliance.Updates.Versioning;

namespace Appliance.Updates.Apply;

public sealed partial class Updater
{
    /// <summary>
    /// `appliance update rollback`: switch back to the previous release kept on disk, restart and check health.
    /// This is an operator's decision on this machine, not a bundle, so it is not subject to the no-downgrade
    /// rule; the release it returns to was verified when it was imported.
    /// </summary>
    public async Task<UpdateOutcome> RollbackAsync(CancellationToken cancellationToken)
    {
        if (!UpdateLock.TryAcquire(_paths, out var held))
        {
            return new UpdateOutcome(UpdateResult.Refused, UpdateLock.BusyMessage);
        }

        using (held)
        {
            return await RollbackLockedAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<UpdateOutcome> RollbackLockedAsync(CancellationToken cancellationToken)
    {
        if (_journal.LoadState().Pending is not null)
        {
            await RecoverLockedAsync(restart: true, cancellationToken).ConfigureAwait(false);
        }

        var state = _journal.LoadState();
        if (!ApplianceVersion.TryParse(state.Previous, out var previous) || !File.Exists(_paths.ReleaseBinary(previous)))
        {
            return new UpdateOutcome(UpdateResult.Refused, "there is no previous release on disk to roll back to");
        }

        var current = RunningVersion(state)?.ToString();
        state = state with { Pending = Pending("rollback", previous, current, ApplyStep.Journaled) };
        _journal.SaveState(state);
        Step(ApplyStep.Journaled);

        LinkSwitch.Point(_paths.Current, _paths.ReleaseLinkTarget(previous));
        Step(ApplyStep.Switched);
        _journal.SaveState(state = state with { Pending = state.Pending! with { Step = nameof(ApplyStep.Switched) } });

        await _restarter.RestartAsync(cancellationToken).ConfigureAwait(false);
        Step(ApplyStep.Restarted);
        var healthy = await _probe.WaitHealthyAsync(previous, _options.HealthTimeout, cancellationToken).ConfigureAwait(false);

        _journal.SaveState(state with { Current = previous.ToString(), Previous = current, Pending = null });
        var detail = healthy
            ? $"rolled back from {current} to {previous} by the operator"
            : $"rolled back from {current} to {previous} by the operator, but {previous} is not healthy";
        _journal.Append(Entry("rollback", previous, current, "rolled-back", detail));
        Step(ApplyStep.Committed);
        return new UpdateOutcome(healthy ? UpdateResult.RolledBack : UpdateResult.Refused, detail);
    }
}
