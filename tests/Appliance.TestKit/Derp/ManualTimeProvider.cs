using Appliance.TestKit.Time;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.TestKit.Derp;

/// <summary>
/// The fake clock (<see cref="FakeTimeProvider"/>, starting at <see cref="TestTime.Start"/>) with one difference for
/// the DERP relay tests: timers are real system timers, so safety timeouts (shutdown drain, handshake) still end
/// without a test advancing the clock. Periodic work reads the virtual clock, and tests call the component's tick
/// method (e.g. DerpServer.RunHeartbeat) right after <c>Advance</c> to make it happen now.
/// </summary>
public sealed class ManualTimeProvider : FakeTimeProvider
{
    public ManualTimeProvider()
        : base(TestTime.Start)
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, dueTime, period);
}
