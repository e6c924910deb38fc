using System.Globalization;

namespace Appliance.Policy.Net;

/// <summary>A CIDR prefix. <see cref="TryParse"/> requires the address to be the network address when strict.</summary>
public readonly record struct IPPrefix(IPAddr Addr, int Bits) : IComparable<IPPrefix>
{
    public bool IsV6 => Addr.IsV6;

    public bool IsSingleIP => Bits == Addr.BitLength;

    public UInt128 First => Addr.Value & Mask(Addr.IsV6, Bits);

    public UInt128 Last => First | ~Mask(Addr.IsV6, Bits) & IPAddr.MaxValue(Addr.IsV6);

    public IPPrefix Masked => new(new IPAddr(IsV6, First), Bits);

    public static IPPrefix Host(IPAddr addr) => new(addr, addr.BitLength);

    public static UInt128 Mask(bool v6, int bits)
    {
        var width = v6 ? 128 : 32;
        if (bits <= 0)
        {
            return 0;
        }

        var all = IPAddr.MaxValue(v6);
        return (all << (width - bits)) & all;
    }

    /// <summary>Parses "a.b.c.d/n" or "x::/n"; a bare address is rejected (use <see cref="TryParseAddrOrPrefix"/>).</summary>
    public static bool TryParse(string text, out IPPrefix prefix)
    {
        prefix = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !IPAddr.TryParse(text[..slash], out var addr))
        {
            return false;
        }

        var bitsText = text[(slash + 1)..];
        if (bitsText.Length is 0 or > 3 || !bitsText.All(char.IsAsciiDigit) || (bitsText.Length > 1 && bitsText[0] == '0'))
        {
            return false;
        }

        var bits = int.Parse(bitsText, CultureInfo.InvariantCulture);
        if (bits > addr.BitLength)
        {
            return false;
        }

        prefix = new IPPrefix(addr, bits);
        return true;
    }

    public static bool TryParseAddrOrPrefix(string text, out IPPrefix prefix)
    {
        if (text.Contains('/', StringComparison.Ordinal))
        {
            return TryParse(text, out prefix);
        }

        if (IPAddr.TryParse(text, out var addr))
        {
            prefix = Host(addr);
            return true;
        }

        prefix = default;
        return false;
    }

    public static IPPrefix Parse(string text) =>
        TryParseAddrOrPrefix(text, out var p) ? p : throw new FormatException($"invalid prefix \"{text}\"");

    public bool Contains(IPAddr addr) => addr.IsV6 == IsV6 && addr.Value >= First && addr.Value <= Last;

    public bool Overlaps(IPPrefix other) => other.IsV6 == IsV6 && other.First <= Last && First <= other.Last;

    /// <summary>Prefix text as Go's netip.Prefix prints it (address as written, then bits).</summary>
    public override string ToString() => $"{Addr}/{Bits.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Host prefixes print as the bare address, the way filter rules write single hosts.</summary>
    public string ToFilterString() => IsSingleIP ? Addr.ToString() : Masked.ToString();

    public int CompareTo(IPPrefix other)
    {
        var c = Addr.CompareTo(other.Addr);
        return c != 0 ? c : Bits.CompareTo(other.Bits);
    }

    public static bool operator <(IPPrefix left, IPPrefix right) => left.CompareTo(right) < 0;

    public static bool operator >(IPPrefix left, IPPrefix right) => left.CompareTo(right) > 0;

    public static bool operator <=(IPPrefix left, IPPrefix right) => left.CompareTo(right) <= 0;

    public static bool operator >=(IPPrefix left, IPPrefix right) => left.CompareTo(right) >= 0;
}
