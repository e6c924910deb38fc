using System.Buffers;
using System.Buffers.Binary;
using ZstdSharp;

namespace Appliance.Protocol.Control;

/// <summary>
/// Reads map-stream messages (layout in <see cref="MapMessageWriter"/>). Used by the TestKit client, the load
/// generator and tests, and the counterpart every conformance frame is checked with. Incremental: on a short buffer it
/// returns false and consumes nothing. The declared length is checked against <see cref="MaxMessageBytes"/> before
/// anything is buffered, and decompression stops at <see cref="MaxDecompressedBytes"/>, so a zstd bomb fails cleanly.
/// </summary>
public sealed class MapMessageReader
{
    private static readonly byte[] ZstdMagic = [0x28, 0xB5, 0x2F, 0xFD];

    /// <summary>
    /// One decompression context per thread, reused for every message. Creating a ZSTD_DCtx (its entropy tables and
    /// literal buffer) for each message was most of the cost of decoding a small delta in the load generator; per
    /// thread rather than per stream, so thousands of idle streams hold none. Decompression is synchronous, so a
    /// thread never uses its context twice at once.
    /// </summary>
    [ThreadStatic]
    private static Decompressor? t_decompressor;

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
        var copy = new JsonCopy();
        var read = TryRead(ref buffer, static (span, copy) => copy.Json = span.ToArray(), copy);
        json = copy.Json;
        return read;
    }

    /// <summary>
    /// Takes one whole message off the front of <paramref name="buffer"/> and hands its JSON to
    /// <paramref name="onMessage"/> as a span that is valid only during the call (it lives in a pooled buffer), so a
    /// reader that only scans the message allocates nothing for it.
    /// </summary>
    /// <exception cref="ControlProtocolException">The length is over the limit or the body is not a valid frame.</exception>
    public bool TryRead<TState>(ref ReadOnlySequence<byte> buffer, ReadOnlySpanAction<byte, TState> onMessage, TState state)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
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

        var body = buffer.Slice(4, length);
        byte[]? gathered = null;
        try
        {
            ReadOnlySpan<byte> bytes;
            if (body.IsSingleSegment)
            {
                bytes = body.FirstSpan;
            }
            else
            {
                gathered = ArrayPool<byte>.Shared.Rent((int)length);
                body.CopyTo(gathered);
                bytes = gathered.AsSpan(0, (int)length);
            }

            if (Zstd)
            {
                Decompress(bytes, onMessage, state);
            }
            else
            {
                onMessage(bytes, state);
            }
        }
        finally
        {
            if (gathered is not null)
            {
                ArrayPool<byte>.Shared.Return(gathered);
            }
        }

        buffer = buffer.Slice(4 + length);
        return true;
    }

    private void Decompress<TState>(ReadOnlySpan<byte> body, ReadOnlySpanAction<byte, TState> onMessage, TState state)
    {
        if (body.Length < ZstdMagic.Length || !body[..ZstdMagic.Length].SequenceEqual(ZstdMagic))
        {
            throw new ControlProtocolException("map message body is not a zstd frame");
        }

        byte[]? json = null;
        int written;
        try
        {
            // An upper bound over every frame of the message (a full map is several frames, decision 0104).
            var bound = Decompressor.GetDecompressedSize(body);
            if (bound > (ulong)MaxDecompressedBytes)
            {
                throw new ControlProtocolException($"map message zstd frame is corrupt or too large: it decompresses to up to {bound} bytes, over the {MaxDecompressedBytes}-byte limit");
            }

            json = ArrayPool<byte>.Shared.Rent((int)bound);
            written = (t_decompressor ??= new Decompressor()).Unwrap(body, json.AsSpan(0, (int)bound));
        }
        catch (ZstdException e)
        {
            if (json is not null)
            {
                ArrayPool<byte>.Shared.Return(json);
            }

            throw new ControlProtocolException("map message zstd frame is corrupt or too large: " + e.Message, e);
        }

        try
        {
            onMessage(json.AsSpan(0, written), state);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(json);
        }
    }

    private sealed class JsonCopy
    {
        public byte[] Json { get; set; } = [];
    }
}
