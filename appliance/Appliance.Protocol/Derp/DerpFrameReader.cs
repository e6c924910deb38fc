using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Appliance.Protocol.Derp;

/// <summary>
/// Incremental, pure DERP frame reader (tailscale derp/derp.go readFrameHeader/readFrame).
/// <code>
/// +------+----------------+-------------------+
/// | type | length (u32 BE)| payload (length)  |
/// +------+----------------+-------------------+
/// </code>
/// Flow: the caller hands in whatever bytes it has. When a whole frame is there, <see cref="TryReadFrame"/> returns it
/// and moves <c>buffer</c> past it. When not, it returns false and consumes nothing, so the caller reads more.
/// The declared length is checked against <see cref="MaxFrameLength"/> as soon as the 5-byte header is there,
/// before any payload is buffered, so a hostile length can never make the caller buffer more than the limit.
/// </summary>
public static class DerpFrameReader
{
    /// <summary>The largest payload accepted for a frame type: 256 KiB for ClientInfo, 1 KiB for ServerKey, 64 KiB + keys otherwise.</summary>
    public static int MaxFrameLength(DerpFrameType type) => type switch
    {
        DerpFrameType.ClientInfo => DerpConstants.MaxClientInfoLength,
        DerpFrameType.ServerKey => DerpConstants.MaxServerKeyLength,
        _ => DerpConstants.MaxOtherFrameLength,
    };

    /// <summary>Reads one frame if it is complete. Throws <see cref="DerpProtocolException"/> when the declared length is over the limit.</summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out DerpFrame frame)
    {
        if (!TryReadHeader(buffer, out var type, out var length))
        {
            frame = default;
            return false;
        }

        if (length > MaxFrameLength(type))
        {
            ThrowTooLarge(type, length);
        }

        long total = DerpConstants.FrameHeaderLength + length;
        if (buffer.Length < total)
        {
            frame = default;
            return false;
        }

        frame = new DerpFrame(type, buffer.Slice(DerpConstants.FrameHeaderLength, length));
        buffer = buffer.Slice(total);
        return true;
    }

    /// <summary>Reads the 5-byte header without consuming it. Returns false when fewer than 5 bytes are there.</summary>
    public static bool TryReadHeader(ReadOnlySequence<byte> buffer, out DerpFrameType type, out uint length)
    {
        if (buffer.Length < DerpConstants.FrameHeaderLength)
        {
            type = default;
            length = 0;
            return false;
        }

        Span<byte> header = stackalloc byte[DerpConstants.FrameHeaderLength];
        buffer.Slice(0, DerpConstants.FrameHeaderLength).CopyTo(header);
        type = (DerpFrameType)header[0];
        length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        return true;
    }

    [DoesNotReturn]
    private static void ThrowTooLarge(DerpFrameType type, uint length) =>
        throw new DerpProtocolException($"DERP frame type 0x{(byte)type:x2} declares {length} bytes, over the limit of {MaxFrameLength(type)}");
}
