using System.Globalization;

namespace Appliance.Hosting.Admin;

/// <summary>
/// Operator durations as headscale and Go write them: one or more number+unit pairs, units s, m, h, d
/// (`90s`, `30m`, `1h`, `7d`, `1h30m`). No fractions, no negatives, nothing longer than TimeSpan holds.
/// </summary>
public static class DurationText
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        try
        {
            duration = Sum(text.AsSpan().Trim()) ?? TimeSpan.Zero;
        }
        catch (OverflowException)
        {
            // Longer than TimeSpan can hold (about 29,000 years): not a duration anyone means.
            duration = TimeSpan.Zero;
        }

        return duration > TimeSpan.Zero;
    }

    private static TimeSpan? Sum(ReadOnlySpan<char> span)
    {
        var total = TimeSpan.Zero;
        while (!span.IsEmpty)
        {
            var digits = span.IndexOfAnyExceptInRange('0', '9');
            if (digits <= 0 || digits > 9)
            {
                return null;
            }

            var value = long.Parse(span[..digits], NumberStyles.None, CultureInfo.InvariantCulture);
            TimeSpan? part = span[digits] switch
            {
                's' => TimeSpan.FromSeconds(value),
                'm' => TimeSpan.FromMinutes(value),
                'h' => TimeSpan.FromHours(value),
                'd' => TimeSpan.FromDays(value),
                _ => null,
            };
            if (part is null)
            {
                return null;
            }

            total += part.Value;
            span = span[(digits + 1)..];
        }

        return total;
    }
}
