namespace Appliance.TestKit.Derp;

/// <summary>
/// Virtual clock for tests: <see cref="Advance"/> moves GetUtcNow and GetTimestamp. Timers are real system timers, so
/// safety timeouts (shutdown drain, handshake) still end; periodic work reads the virtual clock, and tests call the
/// component's tick method (e.g. DerpServer.RunHeartbeat) right after advancing to make it happen now.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero).UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, dueTime, period);
}
