using System.Globalization;

namespace Appliance.Hosting.Configuration;

/// <summary>
/// The one duration grammar of the appliance, for configuration values and CLI/admin flags alike (such as
/// <c>preauthkeys create --expiration</c>): one or more number+unit pairs with no spaces between them, units
/// <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c> (<c>250ms</c>, <c>90s</c>, <c>30m</c>, <c>1h30m</c>, <c>180d</c>);
/// <c>0</c> alone is zero; surrounding white space is ignored. No fractions, no signs, at most 9 digits per number and
/// nothing longer than <see cref="TimeSpan"/> holds. Months and years are left out on purpose: their length is
/// ambiguous. Where zero makes no sense (an expiry), the caller refuses it after parsing.
/// </summary>
public static class Duration
{
    /// <summary>What an error message shows as the accepted forms.</summary>
    public const string Forms = "a number and a unit ms, s, m, h or d, such as 30s, 10m, 1h, 7d or 1h30m";

    private const int MaxDigits = 9;

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text is null)
        {
            return false;
        }

        var s = text.AsSpan().Trim();
        if (s is "0")
        {
            return true;
        }

        if (s.IsEmpty)
        {
            return false;
        }

        var total = TimeSpan.Zero;
        while (!s.IsEmpty)
        {
            var digits = s.IndexOfAnyExceptInRange('0', '9');
            if (digits < 0)
            {
                return false; // a number without a unit
            }

            if (digits == 0 || digits > MaxDigits)
            {
                return false;
            }

            var number = long.Parse(s[..digits], NumberStyles.None, CultureInfo.InvariantCulture);
            s = s[digits..];
            var unitLength = s.IndexOfAnyExceptInRange('a', 'z');
            var unit = unitLength < 0 ? s : s[..unitLength];
            s = s[unit.Length..];
            long? ticksPerUnit = unit switch
            {
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                "d" => TimeSpan.TicksPerDay,
                _ => null,
            };
            if (ticksPerUnit is not { } size || number > (TimeSpan.MaxValue.Ticks - total.Ticks) / size)
            {
                return false; // unknown unit, or longer than TimeSpan holds (about 29,000 years)
            }

            total += TimeSpan.FromTicks(number * size);
        }

        value = total;
        return true;
    }

    /// <summary>The shortest exact spelling: 180d, 30m, 250ms, 1h30m.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0";
        }

        var parts = new List<string>();
        var rest = value;
        foreach (var (unit, size) in Units)
        {
            var count = rest.Ticks / size.Ticks;
            if (count > 0)
            {
                parts.Add(count.ToString(CultureInfo.InvariantCulture) + unit);
                rest -= TimeSpan.FromTicks(count * size.Ticks);
            }
        }

        return string.Concat(parts);
    }

    private static readonly (string Unit, TimeSpan Size)[] Units =
    [
        ("d", TimeSpan.FromDays(1)),
        ("h", TimeSpan.FromHours(1)),
        ("m", TimeSpan.FromMinutes(1)),
        ("s", TimeSpan.FromSeconds(1)),
        ("ms", TimeSpan.FromMilliseconds(1)),
    ];
}
