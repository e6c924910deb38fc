using Microsoft.Extensions.Time.Testing;

namespace Appliance.TestKit.Time;

/// <summary>
/// The tests' one fake clock is Microsoft's <see cref="FakeTimeProvider"/> (Microsoft.Extensions.TimeProvider.Testing):
/// time moves only when a test calls Advance or SetUtcNow, and timers created through it fire from there, in order.
/// This class only fixes where it starts, so results do not depend on the day the tests run.
/// </summary>
public static class TestTime
{
    /// <summary>Where every test clock starts unless the test says otherwise.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static FakeTimeProvider Create() => new(Start);

    public static FakeTimeProvider Create(DateTimeOffset start) => new(start);
}
