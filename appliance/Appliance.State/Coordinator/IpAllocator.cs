using System.Net;
using System.Numerics;

namespace Appliance.State.Coordinator;

/// <summary>
/// Hands out tailnet addresses from the configured prefixes: lowest free first (<see cref="Next"/>), or at random
/// (<see cref="Random"/>, <c>prefixes.allocation: random</c>). Both skip the network address, 100.100.100.100
/// (MagicDNS resolver), 100.115.92.0/23 (ChromeOS), fd7a:115c:a1e0::53 and the v4 broadcast (headscale
/// hscontrol/db/ip.go). "Free" is decided against every address in the current snapshot, so an address is never
/// given to two live nodes; the caller allocates under the coordinator's write lock.
/// </summary>
public static class IpAllocator
{
    /// <summary>
    /// Random draws before <see cref="Random"/> falls back to the scan. A draw fails only when it lands on a used or
    /// reserved address, so 32 misses in a row means the prefix is nearly full (over ~90 % even at 32 draws): the
    /// scan then finds the last free addresses, or proves there are none, instead of drawing forever.
    /// </summary>
    public const int RandomAttempts = 32;

    /// <summary>The address for a new node under <paramref name="mode"/>; null when the prefix is full.</summary>
    public static IPAddress? Allocate(AddressAllocation mode, IPNetwork prefix, IReadOnlySet<IPAddress> used, Random? random = null) =>
        mode == AddressAllocation.Random ? Random(prefix, used, random ?? System.Random.Shared) : Next(prefix, used);

    /// <summary>
    /// A uniformly drawn free host address of <paramref name="prefix"/>, with the same exclusions as <see cref="Next"/>;
    /// after <see cref="RandomAttempts"/> misses, the lowest free one (or null when none is left).
    /// </summary>
    public static IPAddress? Random(IPNetwork prefix, IReadOnlySet<IPAddress> used, Random random)
    {
        ArgumentNullException.ThrowIfNull(used);
        ArgumentNullException.ThrowIfNull(random);
        var bytes = prefix.BaseAddress.GetAddressBytes();
        var hostBits = (bytes.Length * 8) - prefix.PrefixLength;
        var size = BigInteger.One << hostBits;
        var last = size - (bytes.Length == 4 ? 2 : 1);
        var start = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        var draw = new byte[(hostBits + 7) / 8];
        for (var attempt = 0; attempt < RandomAttempts; attempt++)
        {
            random.NextBytes(draw);
            var offset = new BigInteger(draw, isUnsigned: true, isBigEndian: true) & (size - 1);
            if (offset < BigInteger.One || offset > last)
            {
                continue;
            }

            var candidate = ToAddress(start + offset, bytes.Length);
            if (!IsReserved(candidate) && !used.Contains(candidate))
            {
                return candidate;
            }
        }

        return Next(prefix, used);
    }

    private static readonly IPAddress MagicDnsV4 = IPAddress.Parse("100.100.100.100");
    private static readonly IPNetwork ChromeOs = IPNetwork.Parse("100.115.92.0/23");
    private static readonly IPAddress MagicDnsV6 = IPAddress.Parse("fd7a:115c:a1e0::53");

    /// <summary>The lowest free host address of <paramref name="prefix"/>; null when the prefix is full.</summary>
    public static IPAddress? Next(IPNetwork prefix, IReadOnlySet<IPAddress> used)
    {
        var floor = UInt128.One;
        return Next(prefix, used, ref floor);
    }

    /// <summary>
    /// The lowest free host address of <paramref name="prefix"/> at or above host offset <paramref name="floor"/>,
    /// which the caller knows every lower address to be used (or reserved); on return <paramref name="floor"/> is the
    /// offset of the address found (or past the end). So a caller allocating again from the same set, plus what it
    /// added, scans only from there instead of from the bottom (issue 16: the scan was O(N) on every registration).
    /// </summary>
    public static IPAddress? Next(IPNetwork prefix, IReadOnlySet<IPAddress> used, ref UInt128 floor)
    {
        ArgumentNullException.ThrowIfNull(used);
        var length = prefix.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 4 : 16;
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        _ = prefix.BaseAddress.TryWriteBytes(bytes[(16 - length)..], out _);
        var start = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
        var hostBits = (length * 8) - prefix.PrefixLength;
        var last = hostBits >= 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        if (length == 4 && last > 0)
        {
            last--; // the v4 broadcast address
        }

        // A linear scan from the bottom: fine for the tens of thousands of nodes an appliance serves, and it keeps
        // addresses dense and predictable for operators. It runs on every registration, so each step is plain
        // 128-bit arithmetic (no BigInteger allocations, issue 16).
        for (var offset = UInt128.Max(floor, UInt128.One); offset <= last && offset != 0; offset++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, start + offset);
            var candidate = new IPAddress(bytes[(16 - length)..]);
            if (IsReserved(candidate) || used.Contains(candidate))
            {
                continue;
            }

            floor = offset;
            return candidate;
        }

        floor = last == UInt128.MaxValue ? last : last + 1;
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

/// <summary>How <see cref="IpAllocator"/> picks a free address (<c>prefixes.allocation</c>).</summary>
public enum AddressAllocation
{
    /// <summary>Lowest free address first: dense and predictable.</summary>
    Sequential,

    /// <summary>A random free address: addresses say nothing about join order, and a deleted node's address is unlikely to be reused soon.</summary>
    Random,
}
