using System.Globalization;

namespace Appliance.Updates.Versioning;

/// <summary>
/// A release version: MAJOR.MINOR.PATCH, three decimal numbers without leading zeros and without pre-release or
/// build suffixes in a manifest. Versions only move forward on an appliance (no rollback attacks), so comparison
/// must be total and unambiguous; that is why "1.02.0" and "1.2" are refused rather than normalised.
/// </summary>
public readonly record struct ApplianceVersion(int Major, int Minor, int Patch) : IComparable<ApplianceVersion>
{
    private const int MaxPart = 999_999;

    public static bool TryParse(string? text, out ApplianceVersion version)
    {
        version = default;
        if (text is null || text.Length is 0 or > 32)
        {
            return false;
        }

        var parts = text.Split('.');
        if (parts.Length != 3)
        {
            return false;
        }

        Span<int> values = stackalloc int[3];
        for (var i = 0; i < 3; i++)
        {
            var p = parts[i];
            if (p.Length == 0 || p.Length > 6 || (p.Length > 1 && p[0] == '0') || !p.All(char.IsAsciiDigit))
            {
                return false;
            }

            values[i] = int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture);
            if (values[i] > MaxPart)
            {
                return false;
            }
        }

        version = new ApplianceVersion(values[0], values[1], values[2]);
        return true;
    }

    /// <summary>Parses an assembly informational version such as "0.1.0+abc123" by dropping the build suffix.</summary>
    public static bool TryParseInformational(string? text, out ApplianceVersion version)
    {
        var plus = text?.IndexOfAny(['+', '-']) ?? -1;
        return TryParse(plus >= 0 ? text![..plus] : text, out version);
    }

    public static ApplianceVersion Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"'{text}' is not a MAJOR.MINOR.PATCH version.");

    public int CompareTo(ApplianceVersion other)
    {
        var c = Major.CompareTo(other.Major);
        if (c != 0)
        {
            return c;
        }

        c = Minor.CompareTo(other.Minor);
        return c != 0 ? c : Patch.CompareTo(other.Patch);
    }

    public static bool operator <(ApplianceVersion a, ApplianceVersion b) => a.CompareTo(b) < 0;

    public static bool operator >(ApplianceVersion a, ApplianceVersion b) => a.CompareTo(b) > 0;

    public static bool operator <=(ApplianceVersion a, ApplianceVersion b) => a.CompareTo(b) <= 0;

    public static bool operator >=(ApplianceVersion a, ApplianceVersion b) => a.CompareTo(b) >= 0;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}");
}
