using System.Net;
using System.Numerics;

namespace Appliance.State.Coordinator;

/// <summary>
/// Hands out tailnet addresses from the configured prefixes, lowest free first. It skips the network address,
/// 100.100.100.100 (MagicDNS resolver), 100.115.92.0/23 (ChromeOS), fd7a:115c:a1e0::53 and the v4 broadcast
/// (headscale hscontrol/db/ip.go). "Free" is decided against every address in the current snapshot, so an address
/// is never given to two live nodes; the caller allocates under the coordinator's write lock.
/// </summary>
public static class IpAllocator
{
    private static readonly IPAddress MagicDnsV4 = IPAddress.Parse("100.100.100.100");
    private static readonly IPNetwork ChromeOs = IPNetwork.Parse("100.115.92.0/23");
    private static readonly IPAddress MagicDnsV6 = IPAddress.Parse("fd7a:115c:a1e0::53");

    public static IPAddress? Next(IPNetwork prefix, IReadOnlySet<IPAddress> used)
    {
        ArgumentNullException.ThrowIfNull(used);
        var bytes = prefix.BaseAddress.GetAddressBytes();
        var width = bytes.Length * 8;
        var hostBits = width - prefix.PrefixLength;
        var size = BigInteger.One << hostBits;
        var start = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);

        // A linear scan from the bottom: fine for the tens of thousands of nodes an appliance serves, and it keeps
        // addresses dense and predictable for operators.
        for (var offset = BigInteger.One; offset < size - (bytes.Length == 4 ? 1 : 0); offset++)
        {
            var candidate = ToAddress(start + offset, bytes.Length);
            if (IsReserved(candidate) || used.Contains(candidate))
            {
                continue;
            }

            return candidate;
        }

        return null;
    }

    public static bool IsReserved(IPAddress address) =>
        address.Equals(MagicDnsV4) || address.Equals(MagicDnsV6) || ChromeOs.Contains(address);

    private static IPAddress ToAddress(BigInteger value, int length)
    {
        var raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var bytes = new byte[length];
        raw.AsSpan().CopyTo(bytes.AsSpan(length - raw.Length));
        return new IPAddress(bytes);
    }
}
