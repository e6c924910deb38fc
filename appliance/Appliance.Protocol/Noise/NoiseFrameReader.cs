using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Appliance.Protocol.Noise;

/// <summary>
/// Incremental, pure readers of ts2021 frames over a <see cref="ReadOnlySequence{T}"/>. Each returns false and
/// consumes nothing when the input is incomplete, throws <see cref="NoiseProtocolException"/> on a malformed
/// frame, and checks the declared length against its limit before waiting for the body
/// (control/controlbase/conn.go readNLocked/decryptOneLocked; handshake.go continueClientHandshake).
/// </summary>
public static class NoiseFrameReader
{
    /// <summary>
    /// Reads one transport record: `04 · u16 BE len · ciphertext` with 16 ≤ len ≤ 4093. On success
    /// <paramref name="ciphertext"/> is the ciphertext‖tag and <paramref name="buffer"/> is advanced past the frame.
    /// </summary>
    public static bool TryReadRecord(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> ciphertext)
    {
        ciphertext = default;
        if (!TryReadHeader(buffer, out var type, out var length))
        {
            return false;
        }

        if (type != (byte)NoiseMessageType.Record)
        {
            throw new NoiseProtocolException($"unexpected message type {type}, expected a transport record");
        }

        if (length > NoiseConstants.MaxCiphertextSize)
        {
            throw new NoiseProtocolException($"record of {length} bytes exceeds the {NoiseConstants.MaxCiphertextSize}-byte limit");
        }

        if (length < NoiseConstants.TagSize)
        {
            throw new NoiseProtocolException($"record of {length} bytes is shorter than its tag");
        }

        if (buffer.Length < NoiseConstants.HeaderLength + length)
        {
            return false;
        }

        ciphertext = buffer.Slice(NoiseConstants.HeaderLength, length);
        buffer = buffer.Slice(NoiseConstants.HeaderLength + length);
        return true;
    }

    /// <summary>
    /// Reads the server's handshake reply on the client side: either the 51-byte response or an error frame.
    /// </summary>
    public static bool TryReadHandshakeReply(ref ReadOnlySequence<byte> buffer, out NoiseHandshakeReply reply)
    {
        reply = default;
        if (!TryReadHeader(buffer, out var type, out var length))
        {
            return false;
        }

        switch (type)
        {
            case (byte)NoiseMessageType.Response:
                if (length != NoiseConstants.ResponsePayloadLength)
                {
                    throw new NoiseProtocolException($"wrong length {length} for a handshake response");
                }

                if (buffer.Length < NoiseConstants.ResponseSize)
                {
                    return false;
                }

                reply = new NoiseHandshakeReply(buffer.Slice(0, NoiseConstants.ResponseSize).ToArray(), null);
                buffer = buffer.Slice(NoiseConstants.ResponseSize);
                return true;

            case (byte)NoiseMessageType.Error:
                // length is a u16, so an error frame is bounded by 64 KiB.
                if (buffer.Length < NoiseConstants.HeaderLength + length)
                {
                    return false;
                }

                var text = Encoding.UTF8.GetString(buffer.Slice(NoiseConstants.HeaderLength, length));
                reply = new NoiseHandshakeReply(null, text);
                buffer = buffer.Slice(NoiseConstants.HeaderLength + length);
                return true;

            default:
                throw new NoiseProtocolException($"unexpected handshake reply type {type}");
        }
    }

    private static bool TryReadHeader(ReadOnlySequence<byte> buffer, out byte type, out int length)
    {
        type = 0;
        length = 0;
        if (buffer.Length < NoiseConstants.HeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[NoiseConstants.HeaderLength];
        buffer.Slice(0, NoiseConstants.HeaderLength).CopyTo(header);
        type = header[0];
        length = BinaryPrimitives.ReadUInt16BigEndian(header[1..]);
        return true;
    }
}

/// <summary>The server's answer to an initiation: the response frame, or the text of an error frame.</summary>
public readonly record struct NoiseHandshakeReply(byte[]? Response, string? Error)
{
    public bool IsError => Error is not null;
}
