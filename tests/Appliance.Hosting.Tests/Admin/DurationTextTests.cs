using Appliance.Hosting.Admin;

namespace Appliance.Hosting.Tests.Admin;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("1h", 3600)]
    [InlineData("7d", 604800)]
    [InlineData("1h30m", 5400)]
    [InlineData(" 2h ", 7200)]
    public void Operator_durations_parse_to_seconds(string text, int seconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("h")]
    [InlineData("1x")]
    [InlineData("-1h")]
    [InlineData("1.5h")]
    [InlineData("0h")]
    [InlineData("1h 30m")]
    [InlineData("9999999999d")]
    [InlineData("999999999d")]
    [InlineData("999999d999999d999999d999999d999999d999999d999999d999999d999999d999999d999999d")]
    public void Anything_else_is_refused(string? text) => Assert.False(DurationText.TryParse(text, out _));

    [Fact]
    public void Seeded_random_strings_never_throw()
    {
        var random = new Random(42);
        const string alphabet = "0123456789smhdx -.";
        for (var i = 0; i < 5000; i++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 12)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            if (DurationText.TryParse(text, out var duration))
            {
                Assert.True(duration > TimeSpan.Zero);
            }
        }
    }
}
