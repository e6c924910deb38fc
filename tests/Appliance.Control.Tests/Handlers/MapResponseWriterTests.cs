using Appliance.Control.Handlers;

namespace Appliance.Control.Tests.Handlers;

/// <summary>
/// A full map reaches the response body in flushed slices of at most one HTTP/2 frame, byte for byte, so no pipe
/// under the response holds (and then caches segments for) the whole map; a small message stays one write
/// (docs/decisions/0113-malloc-arenas-no-pgo.md, benchmarks "Issue 16, mem helper (session 7)").
/// </summary>
public sealed class MapResponseWriterTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(MapResponseWriter.SliceBytes)]
    [InlineData(MapResponseWriter.SliceBytes + 1)]
    [InlineData(200_000)]
    public async Task A_message_arrives_whole_in_flushed_slices_of_at_most_one_frame(int length)
    {
        var message = new byte[length];
        new Random(length).NextBytes(message);
        var body = new RecordingStream();

        await MapResponseWriter.WriteAsync(body, message, CancellationToken.None);

        Assert.Equal(message, body.Written.ToArray());
        Assert.All(body.Writes, w => Assert.InRange(w, 0, MapResponseWriter.SliceBytes));
        Assert.Equal(Math.Max(1, (length + MapResponseWriter.SliceBytes - 1) / MapResponseWriter.SliceBytes), body.Writes.Count);
        // Every slice is flushed before the next one is written.
        Assert.Equal(body.Writes.Count, body.FlushesAfterWrite);
    }

    [Fact]
    public async Task A_cancelled_write_stops_between_slices()
    {
        using var cts = new CancellationTokenSource();
        var body = new RecordingStream { OnWrite = cts.Cancel };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => MapResponseWriter.WriteAsync(body, new byte[100_000], cts.Token));

        Assert.Single(body.Writes);
    }

    private sealed class RecordingStream : Stream
    {
        private bool _unflushed;

        public MemoryStream Written { get; } = new();

        public List<int> Writes { get; } = [];

        public int FlushesAfterWrite { get; private set; }

        public Action? OnWrite { get; init; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Written.Length;

        public override long Position { get => Written.Position; set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Assert.False(_unflushed, "a slice was written before the previous one was flushed");
            Written.Write(buffer.Span);
            Writes.Add(buffer.Length);
            _unflushed = true;
            OnWrite?.Invoke();
            return ValueTask.CompletedTask;
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_unflushed)
            {
                FlushesAfterWrite++;
                _unflushed = false;
            }

            return Task.CompletedTask;
        }

        public override void Flush() => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
