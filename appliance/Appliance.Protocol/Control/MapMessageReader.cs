using System.Buffers;
using System.Buffers.Binary;
using ZstdSharp;

namespace Appliance.Protocol.Control;

/// <summary>
/// Reads map-stream messages (layout in <see cref="MapMessageWriter"/>). Used by the TestKit client and tests, and
/// the counterpart every conformance frame is checked with. Incremental: on a short buffer it returns false and
/// consumes nothing. The declared length is checked against <see cref="MaxMessageBytes"/> before anything is
/// buffered, and decompression stops at <see cref="MaxDecompressedBytes"/>, so a zstd bomb fails cleanly.
/// </summary>
public sealed class MapMessageReader
{
    private static readonly byte[] ZstdMagic = [0x28, 0xB5, 0x2F, 0xFD];

    public MapMessageReader(bool zstd, int maxMessageBytes = 4 << 20, int maxDecompressedBytes = 16 << 20)
    {
        Zstd = zstd;
        MaxMessageBytes = maxMessageBytes;
        MaxDecompressedBytes = maxDecompressedBytes;
    }

    public bool Zstd { get; }

    public int MaxMessageBytes { get; }

    public int MaxDecompressedBytes { get; }

    /// <summary>Takes one whole message off the front of <paramref name="buffer"/> and returns its JSON.</summary>
    /// <exception cref="ControlProtocolException">The length is over the limit or the body is not a valid frame.</exception>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, out byte[] json)
    {
        json = [];
        if (buffer.Length < 4)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length > (uint)MaxMessageBytes)
        {
            throw new ControlProtocolException($"map message of {length} bytes exceeds the {MaxMessageBytes}-byte limit");
        }

        if (buffer.Length < 4 + length)
        {
            return false;
        }

        var body = buffer.Slice(4, length).ToArray();
        json = Zstd ? Decompress(body) : body;
        buffer = buffer.Slice(4 + length);
        return true;
    }

    private byte[] Decompress(byte[] body)
    {
        if (body.Length < ZstdMagic.Length || !body.AsSpan(0, ZstdMagic.Length).SequenceEqual(ZstdMagic))
        {
            throw new ControlProtocolException("map message body is not a zstd frame");
        }

        try
        {
            using var decompressor = new Decompressor();
            return decompressor.Unwrap(body, MaxDecompressedBytes).ToArray();
        }
        catch (ZstdException e)
        {
            throw new ControlProtocolException("map message zstd frame is corrupt or too large: " + e.Message, e);
        }
    }
}
