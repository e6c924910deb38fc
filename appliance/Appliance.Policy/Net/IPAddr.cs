using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Policy.Net;

/// <summary>
/// An IP address as a number: IPv4 in the low 32 bits with <see cref="IsV6"/> false, IPv6 as all 128 bits.
/// Numbers make set arithmetic (ranges, prefixes, containment) cheap and exact.
/// </summary>
public readonly record struct IPAddr(bool IsV6, UInt128 Value) : IComparable<IPAddr>
{
    public int BitLength => IsV6 ? 128 : 32;

    public static UInt128 MaxValue(bool v6) => v6 ? UInt128.MaxValue : uint.MaxValue;

    public static bool TryParse(string text, out IPAddr addr)
    {
        addr = default;
        if (string.IsNullOrEmpty(text) || text.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        var v6 = text.Contains(':', StringComparison.Ordinal);
        if (!v6)
        {
            // IPAddress.TryParse accepts "1", "1.2" and octal-ish forms; the policy language only knows dotted quads.
            var parts = text.Split('.');
            if (parts.Length != 4)
            {
                return false;
            }

            uint value = 0;
            foreach (var part in parts)
            {
                if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || !part.All(char.IsAsciiDigit))
                {
                    return false;
                }

                var octet = int.Parse(part, CultureInfo.InvariantCulture);
                if (octet > 255)
                {
                    return false;
                }

                value = (value << 8) | (uint)octet;
            }

            addr = new IPAddr(false, value);
            return true;
        }

        if (!IPAddress.TryParse(text, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        addr = FromIPAddress(ip);
        return true;
    }

    public static IPAddr Parse(string text) =>
        TryParse(text, out var addr) ? addr : throw new FormatException($"invalid IP address \"{text}\"");

    public static IPAddr FromIPAddress(IPAddress ip)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            ip.TryWriteBytes(bytes, out _);
            return new IPAddr(false, ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3]);
        }

        ip.TryWriteBytes(bytes, out _);
        UInt128 value = 0;
        for (var i = 0; i < 16; i++)
        {
            value = (value << 8) | bytes[i];
        }

        return new IPAddr(true, value);
    }

    public IPAddress ToIPAddress()
    {
        if (!IsV6)
        {
            var v = (uint)Value;
            return new IPAddress(new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v });
        }

        var bytes = new byte[16];
        var value = Value;
        for (var i = 15; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xff);
            value >>= 8;
        }

        return new IPAddress(bytes);
    }

    public override string ToString() => ToIPAddress().ToString();

    public int CompareTo(IPAddr other) =>
        IsV6 != other.IsV6 ? (IsV6 ? 1 : -1) : Value.CompareTo(other.Value);

    public static bool operator <(IPAddr left, IPAddr right) => left.CompareTo(right) < 0;

    public static bool operator >(IPAddr left, IPAddr right) => left.CompareTo(right) > 0;

    public static bool operator <=(IPAddr left, IPAddr right) => left.CompareTo(right) <= 0;

    public static bool operator >=(IPAddr left, IPAddr right) => left.CompareTo(right) >= 0;
}
