using Appliance.Hosting.Configuration;

namespace Appliance.Hosting.Tests.Configuration;

public class DurationTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("10m", 600_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("180d", 15_552_000_000)]
    [InlineData("250ms", 250)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("0", 0)]
    public void Durations_with_a_unit_parse_to_the_right_length(string text, long milliseconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("s")]
    [InlineData("10 minutes")]
    [InlineData("1w")]
    [InlineData("-5s")]
    [InlineData("1.5h")]
    [InlineData("9999999999d")]
    public void Durations_without_a_known_unit_are_refused(string text) => Assert.False(Duration.TryParse(text, out _));

    [Theory]
    [InlineData("180d")]
    [InlineData("250ms")]
    [InlineData("1h30m")]
    [InlineData("0")]
    public void Formatting_a_parsed_duration_gives_the_same_text(string text)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(text, Duration.Format(value));
    }
}
