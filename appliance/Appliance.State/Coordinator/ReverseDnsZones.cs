using System.Globalization;
using System.Net;
using System.Text;

namespace Appliance.State.Coordinator;

/// <summary>
/// The reverse-lookup zones (in-addr.arpa, ip6.arpa) that cover the tailnet's address prefixes. With MagicDNS on they
/// go into DNSConfig.Routes with no resolvers, which tells the client that its own resolver (100.100.100.100) answers
/// PTR queries for tailnet addresses (tailcfg.DNSConfig.Routes: "an empty list means ... handled by MagicDNS"; headscale
/// sends the same set, as recorded in shared/conformance/real-client/http2). Reverse zones only split on octet (IPv4)
/// or nibble (IPv6) boundaries, so a prefix that ends inside one is covered by enumerating that label's values:
/// 100.64.0.0/10 becomes 64.100.in-addr.arpa … 127.100.in-addr.arpa.
/// </summary>
public static class ReverseDnsZones
{
    public static IReadOnlyList<string> For(IPNetwork prefix)
    {
        var bytes = prefix.BaseAddress.GetAddressBytes();
        return prefix.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? Zones(Labels(bytes, bitsPerLabel: 8), prefix.PrefixLength, 8, v => v.ToString(CultureInfo.InvariantCulture), "in-addr.arpa")
            : Zones(Labels(bytes, bitsPerLabel: 4), prefix.PrefixLength, 4, v => v.ToString("x", CultureInfo.InvariantCulture), "ip6.arpa");
    }

    /// <summary>The address split into labels of 8 bits (octets) or 4 bits (nibbles), most significant first.</summary>
    private static int[] Labels(byte[] bytes, int bitsPerLabel) =>
        bitsPerLabel == 8
            ? [.. bytes.Select(b => (int)b)]
            : [.. bytes.SelectMany(b => new[] { b >> 4, b & 0xF })];

    private static List<string> Zones(int[] labels, int prefixLength, int bitsPerLabel, Func<int, string> format, string suffix)
    {
        var whole = prefixLength / bitsPerLabel;
        var spare = prefixLength % bitsPerLabel;
        var tail = new StringBuilder();
        for (var i = whole - 1; i >= 0; i--)
        {
            tail.Append(format(labels[i])).Append('.');
        }

        tail.Append(suffix);
        if (spare == 0)
        {
            return [tail.ToString()];
        }

        // The first partial label: its top `spare` bits are fixed by the prefix, the rest take every value.
        var free = bitsPerLabel - spare;
        var first = labels[whole] >> free << free;
        var zones = new List<string>(1 << free);
        for (var value = first; value < first + (1 << free); value++)
        {
            zones.Add(format(value) + "." + tail);
        }

        return zones;
    }
}
