using System.Buffers;
using Appliance.Protocol.Control;

namespace Appliance.TestKit.Control;

/// <summary>
/// The client's read loop over a long-poll body: 4-byte little-endian length frames (zstd when asked), handed on
/// one decompressed JSON message at a time (docs/wire/control.md, "Map stream framing"). Shared by TestNode and the
/// load generator's light nodes, which scan the JSON without building a netmap.
/// </summary>
public static class MapStreamReader
{
    /// <summary>Reads until the server ends the body (returns) or <paramref name="cancellationToken"/> fires (throws).</summary>
    public static async Task ReadAsync(Stream body, MapMessageReader reader, Action<byte[]> onMessage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(onMessage);
        var pending = new ArrayBufferWriter<byte>();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            pending.Write(chunk.AsSpan(0, read));
            var buffer = new ReadOnlySequence<byte>(pending.WrittenMemory);
            var consumed = false;
            while (reader.TryRead(ref buffer, out var json))
            {
                consumed = true;
                onMessage(json);
            }

            // Compact only after a message was taken: copying the partial frame on every read made a large full
            // map cost quadratic copying.
            if (consumed)
            {
                var rest = buffer.ToArray();
                pending.Clear();
                pending.Write(rest);
            }
        }
    }
}
