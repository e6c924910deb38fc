using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Protocol.Stun;

/// <summary>
/// Binding Success Response carrying one XOR-MAPPED-ADDRESS, as derper sends it (tailscale net/stun/stun.go Response,
/// ParseResponse). No SOFTWARE, no FINGERPRINT:
/// <code>
/// 01 01 | len | 21 12 A4 42 | txid (12) | 00 20 | 00 08 or 00 14 | 00 | family | port ^ 0x2112 | addr ^ (cookie [‖ txid])
/// </code>
/// IPv4 (and v4-mapped IPv6) uses family 01 and XORs the 4 address bytes with the cookie; IPv6 uses family 02 and XORs
/// the 16 bytes with cookie ‖ transaction ID.
/// </summary>
public static class StunBindingResponse
{
    /// <summary>Largest response: header + IPv6 XOR-MAPPED-ADDRESS.</summary>
    public const int MaxLength = StunConstants.HeaderLength + 4 + 20;

    public static bool TryWrite(Span<byte> destination, ReadOnlySpan<byte> transactionId, IPEndPoint mapped, out int written)
    {
        ArgumentNullException.ThrowIfNull(mapped);
        written = 0;
        var address = mapped.Address.IsIPv4MappedToIPv6 ? mapped.Address.MapToIPv4() : mapped.Address;
        var isV4 = address.AddressFamily == AddressFamily.InterNetwork;
        var addressLength = isV4 ? 4 : 16;
        var attrLength = 4 + addressLength;
        var total = StunConstants.HeaderLength + 4 + attrLength;
        if (destination.Length < total || transactionId.Length != StunConstants.TransactionIdLength)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, StunConstants.BindingSuccess);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)(4 + attrLength));
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StunConstants.MagicCookie);
        transactionId.CopyTo(destination[8..]);

        var attr = destination[StunConstants.HeaderLength..];
        BinaryPrimitives.WriteUInt16BigEndian(attr, StunConstants.AttrXorMappedAddress);
        BinaryPrimitives.WriteUInt16BigEndian(attr[2..], (ushort)attrLength);
        attr[4] = 0;
        attr[5] = isV4 ? StunConstants.FamilyIPv4 : StunConstants.FamilyIPv6;
        BinaryPrimitives.WriteUInt16BigEndian(attr[6..], (ushort)(mapped.Port ^ (StunConstants.MagicCookie >> 16)));
        var addressBytes = attr.Slice(8, addressLength);
        _ = address.TryWriteBytes(addressBytes, out _);
        XorAddress(addressBytes, destination.Slice(4, 16));
        written = total;
        return true;
    }

    /// <summary>
    /// Reads a Binding Success Response (for the test client): transaction ID and mapped address. Accepts
    /// XOR-MAPPED-ADDRESS (0x0020 or 0x8020) or, as a fallback, MAPPED-ADDRESS; unmaps v4-mapped IPv6.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, Span<byte> transactionId, out IPEndPoint? mapped)
    {
        mapped = null;
        if (!StunBindingRequest.IsStun(datagram) || BinaryPrimitives.ReadUInt16BigEndian(datagram) != StunConstants.BindingSuccess
            || transactionId.Length < StunConstants.TransactionIdLength)
        {
            return false;
        }

        var end = StunConstants.HeaderLength + BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if (datagram.Length < end)
        {
            return false;
        }

        datagram.Slice(8, StunConstants.TransactionIdLength).CopyTo(transactionId);
        IPEndPoint? fallback = null;
        for (var offset = StunConstants.HeaderLength; end - offset >= 4;)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
            if (end - offset - 4 < length)
            {
                return false;
            }

            var value = datagram.Slice(offset + 4, length);
            if (type is StunConstants.AttrXorMappedAddress or StunConstants.AttrXorMappedAddressAlt)
            {
                mapped = ReadAddress(value, datagram.Slice(4, 16), xor: true);
                return mapped is not null;
            }

            if (type == StunConstants.AttrMappedAddress)
            {
                fallback = ReadAddress(value, datagram.Slice(4, 16), xor: false);
            }

            offset += 4 + ((length + 3) & ~3);
        }

        mapped = fallback;
        return mapped is not null;
    }

    private static IPEndPoint? ReadAddress(ReadOnlySpan<byte> value, ReadOnlySpan<byte> cookieAndTxid, bool xor)
    {
        if (value.Length < 4)
        {
            return null;
        }

        var addressLength = value[1] switch
        {
            StunConstants.FamilyIPv4 => 4,
            StunConstants.FamilyIPv6 => 16,
            _ => 0,
        };
        if (addressLength == 0 || value.Length < 4 + addressLength)
        {
            return null;
        }

        var port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]);
        Span<byte> addressBytes = stackalloc byte[addressLength];
        value.Slice(4, addressLength).CopyTo(addressBytes);
        if (xor)
        {
            port ^= (ushort)(StunConstants.MagicCookie >> 16);
            XorAddress(addressBytes, cookieAndTxid);
        }

        var address = new IPAddress(addressBytes);
        return new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, port);
    }

    private static void XorAddress(Span<byte> address, ReadOnlySpan<byte> cookieAndTxid)
    {
        for (var i = 0; i < address.Length; i++)
        {
            address[i] ^= cookieAndTxid[i];
        }
    }
}
