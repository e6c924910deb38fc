using System.Text;

namespace Appliance.State.Coordinator;

/// <summary>
/// MagicDNS names from client hostnames: lower-case letters, digits and '-', 1–63 characters, no leading or
/// trailing '-' (RFC 1123 label). A hostname that sanitises to nothing becomes "node".
/// </summary>
public static class DnsLabel
{
    public const int MaxLength = 63;

    public static string Sanitize(string? hostname)
    {
        var builder = new StringBuilder(Math.Min(hostname?.Length ?? 0, MaxLength));
        foreach (var c in (hostname ?? "").ToLowerInvariant())
        {
            if (builder.Length == MaxLength)
            {
                break;
            }

            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }

            if (c == '.')
            {
                // Only the first label of an FQDN hostname is the name.
                builder.Length = Math.Max(0, builder.Length - 1);
                break;
            }
        }

        var label = builder.ToString().Trim('-');
        return label.Length == 0 ? "node" : label;
    }

    public static bool IsValid(string label) =>
        label.Length is > 0 and <= MaxLength && label[0] != '-' && label[^1] != '-'
        && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    public static bool IsValidDomain(string domain)
    {
        var trimmed = domain.TrimEnd('.');
        return trimmed.Length is > 0 and <= 253 && trimmed.Split('.').All(l => IsValid(l.ToLowerInvariant()));
    }

    /// <summary>The label itself when free, else label-1, label-2…, shortened so the suffix still fits.</summary>
    public static string Unique(string label, Func<string, bool> taken)
    {
        ArgumentNullException.ThrowIfNull(taken);
        if (!taken(label))
        {
            return label;
        }

        for (var i = 1; ; i++)
        {
            var suffix = "-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var candidate = label[..Math.Min(label.Length, MaxLength - suffix.Length)].TrimEnd('-') + suffix;
            if (!taken(candidate))
            {
                return candidate;
            }
        }
    }
}
