using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Appliance.Protocol.Control;

namespace Appliance.LoadGen.Tests.Support;

/// <summary>
/// A fault the test server injects into one map stream: which stream (the Nth long poll opened, counting from 0)
/// and which of its messages never leave the server. The server believes it sent them, as with a stream silently
/// left behind: exactly the failure the generator must report.
/// </summary>
internal sealed record MapFault(int VictimStream, Func<int, string, bool> Drop)
{
    /// <summary>The victim gets its first map and nothing after it: it is stuck with the peers it had.</summary>
    public static MapFault StuckAfterFirstMap(int victimStream) => new(victimStream, (sequence, _) => sequence > 0);

    /// <summary>The victim misses every message that carries an endpoint change to <paramref name="endpointPrefix"/>.</summary>
    public static MapFault DropEndpointChanges(int victimStream, string endpointPrefix) =>
        new(victimStream, (_, json) => json.Contains(endpointPrefix, StringComparison.Ordinal));
}

/// <summary>
/// The victim stream's response body: parses the 4-byte length frames the handler writes, decodes each (zstd) to
/// decide with the fault, and passes on only the frames it keeps, whole, so the client still reads a valid stream.
/// </summary>
internal sealed class FrameFilterStream(Stream inner, MapFault fault) : Stream
{
    private readonly ArrayBufferWriter<byte> _pending = new();
    private readonly MapMessageReader _reader = new(zstd: true, maxMessageBytes: 256 << 20, maxDecompressedBytes: 256 << 20);
    private int _sequence;

    public int Dropped { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _pending.Write(buffer.Span);
        while (_pending.WrittenCount >= 4)
        {
            var length = 4 + (int)BinaryPrimitives.ReadUInt32LittleEndian(_pending.WrittenSpan);
            if (_pending.WrittenCount < length)
            {
                return;
            }

            var frame = _pending.WrittenSpan[..length].ToArray();
            var rest = _pending.WrittenSpan[length..].ToArray();
            _pending.Clear();
            _pending.Write(rest);
            var sequence = new ReadOnlySequence<byte>(frame);
            _reader.TryRead(ref sequence, out var json);
            if (fault.Drop(_sequence++, Encoding.UTF8.GetString(json)))
            {
                Dropped++;
                continue;
            }

            await inner.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
