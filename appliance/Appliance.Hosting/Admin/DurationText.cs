using System.Globalization;

namespace Appliance.Hosting.Admin;

/// <summary>
/// Operator durations as headscale and Go write them: one or more number+unit pairs, units s, m, h, d
/// (`90s`, `30m`, `1h`, `7d`, `1h30m`). No fractions, no negatives.
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

        var span = text.AsSpan().Trim();
        while (!span.IsEmpty)
        {
            var digits = span.IndexOfAnyExceptInRange('0', '9');
            if (digits <= 0 || digits > 9)
            {
                return false;
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
                return false;
            }

            duration += part.Value;
            span = span[(digits + 1)..];
        }

        return duration > TimeSpan.Zero;
    }
}
