using System.Globalization;

namespace Appliance.Policy.Model;

/// <summary>
/// IANA protocol names and numbers the policy's <c>proto</c> field accepts (Tailscale kb/1337 "proto";
/// the same table as headscale hscontrol/policy/v2/types.go Protocol).
/// </summary>
public static class Protocols
{
    public const int Icmp = 1;
    public const int Tcp = 6;
    public const int Udp = 17;
    public const int Sctp = 132;
    public const int Ipv6Icmp = 58;

    private static readonly Dictionary<string, int> Names = new(StringComparer.Ordinal)
    {
        ["icmp"] = 1,
        ["igmp"] = 2,
        ["ipv4"] = 4,
        ["ip-in-ip"] = 4,
        ["tcp"] = 6,
        ["egp"] = 8,
        ["igp"] = 9,
        ["udp"] = 17,
        ["gre"] = 47,
        ["esp"] = 50,
        ["ah"] = 51,
        ["ipv6-icmp"] = 58,
        ["sctp"] = 132,
        ["fc"] = 133,
    };

    /// <summary>Parses a protocol name or number; an empty string means "TCP, UDP and ICMP" (null).</summary>
    public static bool TryParse(string text, out IReadOnlyList<int>? protocols, out string error)
    {
        protocols = null;
        error = "";
        var lower = text.ToLowerInvariant();
        if (lower.Length == 0)
        {
            return true;
        }

        if (lower == "*")
        {
            error = "proto name \"*\" not known; use protocol number 0-255 or protocol name (icmp, tcp, udp, etc.)";
            return false;
        }

        if (Names.TryGetValue(lower, out var number))
        {
            protocols = [number];
            return true;
        }

        if (lower.All(char.IsAsciiDigit))
        {
            if (lower.Length > 1 && lower[0] == '0' || lower == "0")
            {
                error = $"leading 0 not permitted in protocol number \"{text}\"";
                return false;
            }

            if (lower.Length <= 3 && int.TryParse(lower, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number <= 255)
            {
                protocols = [number];
                return true;
            }

            error = $"protocol number out of range (0-255): {text}";
            return false;
        }

        error = $"proto name \"{text}\" not known; use protocol number 0-255 or protocol name (icmp, tcp, udp, etc.)";
        return false;
    }

    /// <summary>Only TCP, UDP and SCTP have ports; others must use "*" (empty = TCP+UDP+ICMP allows ports).</summary>
    public static bool SupportsPorts(IReadOnlyList<int>? protocols) =>
        protocols is null || protocols.All(p => p is Tcp or Udp or Sctp);
}
