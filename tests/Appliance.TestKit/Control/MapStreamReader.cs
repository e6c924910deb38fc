using System.Buffers;
using System.Buffers.Binary;
using Appliance.Protocol.Control;

namespace Appliance.TestKit.Control;

/// <summary>
/// The client's read loop over a long-poll body: 4-byte little-endian length frames (zstd when asked), handed on
/// one decompressed JSON message at a time (docs/wire/control.md, "Map stream framing"). Shared by TestNode and the
/// load generator's light nodes, which scan the JSON without building a netmap.
/// <para>
/// Bytes are read straight into one pooled buffer and each message is decoded where it lies; the buffer goes back to
/// the pool whenever no partial frame is left, and an idle stream waits with a zero-byte read, so thousands of parked
/// streams hold no read memory (the load generator keeps 10,000 of them beside the server).
/// </para>
/// </summary>
public static class MapStreamReader
{
    private const int ReadSize = 16 * 1024;

    /// <summary>Reads until the server ends the body (returns) or <paramref name="cancellationToken"/> fires (throws).</summary>
    public static Task ReadAsync(Stream body, MapMessageReader reader, Action<byte[]> onMessage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        return ReadAsync(body, reader, static (json, onMessage) => onMessage(json.ToArray()), onMessage, cancellationToken);
    }

    /// <summary>
    /// Reads until the server ends the body (returns) or <paramref name="cancellationToken"/> fires (throws); each
    /// message's JSON is valid only during its call of <paramref name="onMessage"/>.
    /// </summary>
    public static async Task ReadAsync<TState>(Stream body, MapMessageReader reader, ReadOnlySpanAction<byte, TState> onMessage, TState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(onMessage);
        byte[]? buffer = null;
        var count = 0;
        try
        {
            while (true)
            {
                if (buffer is null)
                {
                    // Nothing buffered: wait for the next bytes without holding a buffer.
                    await body.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                    buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
                }
                else if (count == buffer.Length)
                {
                    buffer = Grow(buffer, count, buffer.Length * 2);
                }

                var read = await body.ReadAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                count += read;
                var pending = new ReadOnlySequence<byte>(buffer, 0, count);
                while (reader.TryRead(ref pending, onMessage, state))
                {
                }

                var rest = (int)pending.Length;
                if (rest == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                    count = 0;
                    continue;
                }

                // A partial frame: move it to the front (once per read that completed a message, so a large full map
                // arriving in many reads is not copied per read), and make room for the whole frame once its
                // length is known (TryRead has already refused a length over the reader's limit).
                if (rest != count)
                {
                    Buffer.BlockCopy(buffer, count - rest, buffer, 0, rest);
                    count = rest;
                }

                if (count >= 4)
                {
                    var whole = 4 + (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer);
                    if (whole > buffer.Length)
                    {
                        buffer = Grow(buffer, count, whole);
                    }
                }
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static byte[] Grow(byte[] buffer, int count, int size)
    {
        var grown = ArrayPool<byte>.Shared.Rent(size);
        Buffer.BlockCopy(buffer, 0, grown, 0, count);
        ArrayPool<byte>.Shared.Return(buffer);
        return grown;
    }
}
