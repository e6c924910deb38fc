using System.Formats.Asn1;
using System.Net;

namespace Appliance.Pki.Certificates;

/// <summary>An address range in a name constraint: a network address and a prefix length (RFC 5280 §4.2.1.10).</summary>
public readonly record struct IpSubtree(IPAddress Address, int PrefixLength)
{
    public static IpSubtree AllIPv4 { get; } = new(IPAddress.Any, 0);

    public static IpSubtree AllIPv6 { get; } = new(IPAddress.IPv6Any, 0);

    /// <summary>A single host: /32 or /128.</summary>
    public static IpSubtree Host(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new IpSubtree(address, address.GetAddressBytes().Length * 8);
    }

    public bool Contains(IPAddress candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (candidate.AddressFamily != Address.AddressFamily)
        {
            return false;
        }

        var a = Address.GetAddressBytes();
        var b = candidate.GetAddressBytes();
        var mask = MaskBytes(a.Length);
        for (var i = 0; i < a.Length; i++)
        {
            if ((a[i] & mask[i]) != (b[i] & mask[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The constraint encoding: address bytes followed by mask bytes.</summary>
    public byte[] ToBytes()
    {
        var address = Address.GetAddressBytes();
        var mask = MaskBytes(address.Length);
        for (var i = 0; i < address.Length; i++)
        {
            address[i] &= mask[i];
        }

        return [.. address, .. mask];
    }

    public static IpSubtree FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length is not (8 or 32))
        {
            throw new AsnContentException($"An iPAddress constraint is 8 or 32 bytes, not {bytes.Length}.");
        }

        var half = bytes.Length / 2;
        var prefix = 0;
        var ended = false;
        for (var i = half; i < bytes.Length; i++)
        {
            for (var bit = 7; bit >= 0; bit--)
            {
                var set = (bytes[i] >> bit & 1) == 1;
                if (set && ended)
                {
                    throw new AsnContentException("An iPAddress constraint mask must be contiguous.");
                }

                if (set)
                {
                    prefix++;
                }
                else
                {
                    ended = true;
                }
            }
        }

        return new IpSubtree(new IPAddress(bytes.AsSpan(0, half)), prefix);
    }

    public override string ToString() => $"{Address}/{PrefixLength}";

    private byte[] MaskBytes(int length)
    {
        var mask = new byte[length];
        for (var i = 0; i < length; i++)
        {
            var bits = Math.Clamp(PrefixLength - (i * 8), 0, 8);
            mask[i] = (byte)(0xFF << (8 - bits));
        }

        return mask;
    }
}
