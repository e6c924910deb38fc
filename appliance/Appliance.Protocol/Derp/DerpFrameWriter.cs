using System.Buffers.Binary;

namespace Appliance.Protocol.Derp;

/// <summary>
/// Writes DERP frames into a caller's span (layouts: <see cref="DerpFrameType"/>; tailscale derp/derp.go writeFrameHeader
/// and derpserver.go send* functions). Every method returns false, writing nothing useful, when the span is too small.
/// </summary>
public static class DerpFrameWriter
{
    public static bool TryWriteHeader(Span<byte> destination, DerpFrameType type, int payloadLength)
    {
        if (destination.Length < DerpConstants.FrameHeaderLength || payloadLength < 0)
        {
            return false;
        }

        destination[0] = (byte)type;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)payloadLength);
        return true;
    }

    /// <summary>A frame whose payload is one piece.</summary>
    public static bool TryWriteFrame(Span<byte> destination, DerpFrameType type, ReadOnlySpan<byte> payload, out int written) =>
        TryWriteFrame(destination, type, payload, default, out written);

    /// <summary>A frame whose payload is two pieces (a key then data, for example).</summary>
    public static bool TryWriteFrame(Span<byte> destination, DerpFrameType type, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, out int written)
    {
        var payloadLength = first.Length + second.Length;
        written = DerpConstants.FrameHeaderLength + payloadLength;
        if (destination.Length < written || !TryWriteHeader(destination, type, payloadLength))
        {
            written = 0;
            return false;
        }

        first.CopyTo(destination[DerpConstants.FrameHeaderLength..]);
        second.CopyTo(destination[(DerpConstants.FrameHeaderLength + first.Length)..]);
        return true;
    }

    public static bool TryWriteServerKey(Span<byte> destination, ReadOnlySpan<byte> serverPublic, out int written) =>
        TryWriteFrame(destination, DerpFrameType.ServerKey, DerpConstants.Magic, serverPublic, out written);

    /// <summary>ClientInfo: client key · nonce · box. <paramref name="nonceAndBox"/> is the nonce followed by the sealed JSON.</summary>
    public static bool TryWriteClientInfo(Span<byte> destination, ReadOnlySpan<byte> clientPublic, ReadOnlySpan<byte> nonceAndBox, out int written) =>
        TryWriteFrame(destination, DerpFrameType.ClientInfo, clientPublic, nonceAndBox, out written);

    /// <summary>ServerInfo: nonce · box.</summary>
    public static bool TryWriteServerInfo(Span<byte> destination, ReadOnlySpan<byte> nonceAndBox, out int written) =>
        TryWriteFrame(destination, DerpFrameType.ServerInfo, nonceAndBox, out written);

    public static bool TryWriteSendPacket(Span<byte> destination, ReadOnlySpan<byte> destinationKey, ReadOnlySpan<byte> packet, out int written) =>
        TryWriteFrame(destination, DerpFrameType.SendPacket, destinationKey, packet, out written);

    public static bool TryWriteRecvPacket(Span<byte> destination, ReadOnlySpan<byte> sourceKey, ReadOnlySpan<byte> packet, out int written) =>
        TryWriteFrame(destination, DerpFrameType.RecvPacket, sourceKey, packet, out written);

    public static bool TryWriteKeepAlive(Span<byte> destination, out int written) =>
        TryWriteFrame(destination, DerpFrameType.KeepAlive, default, out written);

    public static bool TryWriteNotePreferred(Span<byte> destination, bool preferred, out int written) =>
        TryWriteFrame(destination, DerpFrameType.NotePreferred, [preferred ? (byte)1 : (byte)0], out written);

    public static bool TryWritePeerGone(Span<byte> destination, ReadOnlySpan<byte> peerKey, DerpPeerGoneReason reason, out int written) =>
        TryWriteFrame(destination, DerpFrameType.PeerGone, peerKey, [(byte)reason], out written);

    /// <summary>PeerPresent: key · 16 B IPv6 (v4-mapped for IPv4) · u16 BE port · flags.</summary>
    public static bool TryWritePeerPresent(Span<byte> destination, ReadOnlySpan<byte> peerKey, System.Net.IPEndPoint? endpoint, byte flags, out int written)
    {
        Span<byte> tail = stackalloc byte[16 + 2 + 1];
        if (endpoint is not null)
        {
            var address = endpoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                ? endpoint.Address.MapToIPv6()
                : endpoint.Address;
            _ = address.TryWriteBytes(tail[..16], out _);
            BinaryPrimitives.WriteUInt16BigEndian(tail[16..], (ushort)endpoint.Port);
        }

        tail[18] = flags;
        return TryWriteFrame(destination, DerpFrameType.PeerPresent, peerKey, tail, out written);
    }

    public static bool TryWritePing(Span<byte> destination, ReadOnlySpan<byte> data, out int written) =>
        TryWriteFrame(destination, DerpFrameType.Ping, data, out written);

    public static bool TryWritePong(Span<byte> destination, ReadOnlySpan<byte> data, out int written) =>
        TryWriteFrame(destination, DerpFrameType.Pong, data, out written);

    public static bool TryWriteHealth(Span<byte> destination, ReadOnlySpan<byte> problemUtf8, out int written) =>
        TryWriteFrame(destination, DerpFrameType.Health, problemUtf8, out written);

    /// <summary>Restarting: u32 BE reconnect-in ms · u32 BE try-for ms (derp.go frameRestarting).</summary>
    public static bool TryWriteRestarting(Span<byte> destination, TimeSpan reconnectIn, TimeSpan tryFor, out int written)
    {
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(payload, ClampMilliseconds(reconnectIn));
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], ClampMilliseconds(tryFor));
        return TryWriteFrame(destination, DerpFrameType.Restarting, payload, out written);
    }

    private static uint ClampMilliseconds(TimeSpan value) =>
        (uint)Math.Clamp(value.TotalMilliseconds, 0, uint.MaxValue);
}
