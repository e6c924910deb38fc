namespace Appliance.Updates.Tests.TestSupport;

/// <summary>A clock that says what the test says.</summary>
public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
