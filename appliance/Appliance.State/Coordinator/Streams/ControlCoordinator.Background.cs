namespace Appliance.State.Coordinator;

/// <summary>
/// Background work (the flush timer, the heartbeat: keep-alives, ephemeral GC, key-expiry sweep, registration
/// expiry) is guarded the way Kestrel's Heartbeat is: an exception is logged with event BackgroundWorkFailed and
/// counted, never allowed to end the process; the work runs again on its next tick.
/// </summary>
public sealed partial class ControlCoordinator
{
    private long _backgroundFaults;

    /// <summary>How many background runs have failed since start (for metrics and tests).</summary>
    public long BackgroundFaults => Interlocked.Read(ref _backgroundFaults);

    private void Guarded(string work, Action body)
    {
        try
        {
            body();
        }
#pragma warning disable CA1031 // Background work must never end the process: log, count, go on (issue 12).
        catch (Exception e)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _backgroundFaults);
            StateEvents.BackgroundWorkFailed(_log, e, work);
        }
    }
}
