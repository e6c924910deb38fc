using System.Buffers.Binary;
using System.Net;
using Appliance.Protocol.Keys;

namespace Appliance.Protocol.Derp;

/// <summary>
/// Parsers for the small fixed-layout payloads (layouts on <see cref="DerpFrameType"/>). Each returns false on a
/// payload that is too short or malformed; longer payloads are accepted where the Go side ignores trailing bytes.
/// </summary>
public static class DerpFramePayloads
{
    /// <summary>ServerKey: magic (8) · server key (32) · ignored future bytes.</summary>
    public static bool TryParseServerKey(ReadOnlySpan<byte> payload, out NodePublic serverKey)
    {
        serverKey = default;
        if (payload.Length < DerpConstants.Magic.Length + DerpConstants.KeyLength || !payload.StartsWith(DerpConstants.Magic))
        {
            return false;
        }

        serverKey = NodePublic.FromRaw(payload.Slice(DerpConstants.Magic.Length, DerpConstants.KeyLength));
        return true;
    }

    /// <summary>SendPacket/RecvPacket: key (32) · packet (0 … 64 KiB).</summary>
    public static bool TryParseKeyedPacket(ReadOnlySpan<byte> payload, out NodePublic key, out ReadOnlySpan<byte> packet)
    {
        key = default;
        packet = default;
        if (payload.Length < DerpConstants.KeyLength || payload.Length - DerpConstants.KeyLength > DerpConstants.MaxPacketSize)
        {
            return false;
        }

        key = NodePublic.FromRaw(payload[..DerpConstants.KeyLength]);
        packet = payload[DerpConstants.KeyLength..];
        return true;
    }

    /// <summary>NotePreferred: exactly one byte, non-zero = preferred.</summary>
    public static bool TryParseNotePreferred(ReadOnlySpan<byte> payload, out bool preferred)
    {
        preferred = payload.Length == 1 && payload[0] != 0;
        return payload.Length == 1;
    }

    /// <summary>PeerGone: key (32) · reason (1, absent from old servers = disconnected).</summary>
    public static bool TryParsePeerGone(ReadOnlySpan<byte> payload, out NodePublic key, out DerpPeerGoneReason reason)
    {
        key = default;
        reason = DerpPeerGoneReason.Disconnected;
        if (payload.Length < DerpConstants.KeyLength)
        {
            return false;
        }

        key = NodePublic.FromRaw(payload[..DerpConstants.KeyLength]);
        if (payload.Length > DerpConstants.KeyLength)
        {
            reason = (DerpPeerGoneReason)payload[DerpConstants.KeyLength];
        }

        return true;
    }

    /// <summary>PeerPresent: key (32) · IPv6 (16) · port u16 BE · flags (1). Old servers send only the key.</summary>
    public static bool TryParsePeerPresent(ReadOnlySpan<byte> payload, out NodePublic key, out IPEndPoint? endpoint, out byte flags)
    {
        key = default;
        endpoint = null;
        flags = 0;
        if (payload.Length < DerpConstants.KeyLength)
        {
            return false;
        }

        key = NodePublic.FromRaw(payload[..DerpConstants.KeyLength]);
        if (payload.Length >= DerpConstants.KeyLength + 18)
        {
            var address = new IPAddress(payload.Slice(DerpConstants.KeyLength, 16));
            var port = BinaryPrimitives.ReadUInt16BigEndian(payload[(DerpConstants.KeyLength + 16)..]);
            endpoint = new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, port);
        }

        if (payload.Length >= DerpConstants.KeyLength + 19)
        {
            flags = payload[DerpConstants.KeyLength + 18];
        }

        return true;
    }

    /// <summary>Ping: 8 … 1000 bytes; the first 8 are the data to echo.</summary>
    public static bool TryParsePing(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> data)
    {
        data = default;
        if (payload.Length < DerpConstants.PingLength || payload.Length > DerpConstants.MaxPingLength)
        {
            return false;
        }

        data = payload[..DerpConstants.PingLength];
        return true;
    }

    /// <summary>Pong: at least 8 bytes, the first 8 being the ping's data.</summary>
    public static bool TryParsePong(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> data)
    {
        data = payload.Length >= DerpConstants.PingLength ? payload[..DerpConstants.PingLength] : default;
        return payload.Length >= DerpConstants.PingLength;
    }

    /// <summary>Restarting: reconnect-in ms (u32 BE) · try-for ms (u32 BE).</summary>
    public static bool TryParseRestarting(ReadOnlySpan<byte> payload, out TimeSpan reconnectIn, out TimeSpan tryFor)
    {
        reconnectIn = default;
        tryFor = default;
        if (payload.Length < 8)
        {
            return false;
        }

        reconnectIn = TimeSpan.FromMilliseconds(BinaryPrimitives.ReadUInt32BigEndian(payload));
        tryFor = TimeSpan.FromMilliseconds(BinaryPrimitives.ReadUInt32BigEndian(payload[4..]));
        return true;
    }
}
