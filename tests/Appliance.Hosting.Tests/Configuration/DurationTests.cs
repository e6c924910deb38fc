using Appliance.Hosting.Configuration;

namespace Appliance.Hosting.Tests.Configuration;

/// <summary>The one duration grammar, shared by configuration values and CLI/admin flags such as --expiration.</summary>
public class DurationTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("90s", 90_000)]
    [InlineData("10m", 600_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("7d", 604_800_000)]
    [InlineData("180d", 15_552_000_000)]
    [InlineData("250ms", 250)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1d2h3m4s5ms", 93_784_005)]
    [InlineData("30m1h", 5_400_000)]
    [InlineData(" 2h ", 7_200_000)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("999999999ms", 999_999_999)]
    public void Durations_with_a_unit_parse_to_the_right_length(string text, long milliseconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("30")]
    [InlineData("1h30")]
    [InlineData("s")]
    [InlineData("h")]
    [InlineData("1x")]
    [InlineData("1H")]
    [InlineData("10 minutes")]
    [InlineData("1h 30m")]
    [InlineData("1w")]
    [InlineData("1y")]
    [InlineData("-5s")]
    [InlineData("+5s")]
    [InlineData("1.5h")]
    [InlineData("00")]
    [InlineData("9999999999d")]
    [InlineData("999999999d")]
    [InlineData("999999d999999d999999d999999d999999d999999d999999d999999d999999d999999d999999d")]
    public void Anything_else_is_refused(string? text) => Assert.False(Duration.TryParse(text, out _));

    [Theory]
    [InlineData("180d")]
    [InlineData("250ms")]
    [InlineData("1h30m")]
    [InlineData("1d2h3m4s5ms")]
    [InlineData("0")]
    public void Formatting_a_parsed_duration_gives_the_same_text(string text)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(text, Duration.Format(value));
    }

    [Fact]
    public void Seeded_random_strings_never_throw_and_what_parses_formats_back_to_the_same_length()
    {
        var random = new Random(42);
        const string alphabet = "0123456789smhdx -.9";
        for (var i = 0; i < 20_000; i++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 24)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            if (Duration.TryParse(text, out var value))
            {
                Assert.True(value >= TimeSpan.Zero, text);
                Assert.True(Duration.TryParse(Duration.Format(value), out var again), text);
                Assert.Equal(value, again);
            }
        }
    }
}
