using System.IO.Pipelines;
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
        var body = new RecordingPipeWriter();

        Assert.True(await MapResponseWriter.WriteAsync(body, message, CancellationToken.None));

        Assert.Equal(message, body.Flushed.ToArray());
        // Every slice is flushed (one PipeWriter.WriteAsync each) before the next one is written.
        Assert.All(body.FlushedSlices, w => Assert.InRange(w, 0, MapResponseWriter.SliceBytes));
        Assert.Equal(Math.Max(1, (length + MapResponseWriter.SliceBytes - 1) / MapResponseWriter.SliceBytes), body.FlushedSlices.Count);
    }

    [Fact]
    public async Task A_cancelled_write_stops_between_slices()
    {
        using var cts = new CancellationTokenSource();
        var body = new RecordingPipeWriter { OnFlush = cts.Cancel };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => MapResponseWriter.WriteAsync(body, new byte[100_000], cts.Token).AsTask());

        Assert.Single(body.FlushedSlices);
    }

    [Fact]
    public async Task A_completed_response_stops_the_write_and_says_so()
    {
        var body = new RecordingPipeWriter { CompleteAfterFlushes = 2 };

        Assert.False(await MapResponseWriter.WriteAsync(body, new byte[100_000], CancellationToken.None));

        Assert.Equal(2, body.FlushedSlices.Count);
    }

    /// <summary>A response body writer that records what each flush sent; the base class's WriteAsync writes and flushes.</summary>
    private sealed class RecordingPipeWriter : PipeWriter
    {
        private readonly List<byte> _pending = [];
        private byte[] _buffer = [];

        public List<byte> Flushed { get; } = [];

        public List<int> FlushedSlices { get; } = [];

        public Action? OnFlush { get; init; }

        public int CompleteAfterFlushes { get; init; } = int.MaxValue;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer = new byte[Math.Max(sizeHint, 256)];

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void Advance(int bytes) => _pending.AddRange(_buffer.AsSpan(0, bytes));

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Flushed.AddRange(_pending);
            FlushedSlices.Add(_pending.Count);
            _pending.Clear();
            OnFlush?.Invoke();
            return ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: FlushedSlices.Count >= CompleteAfterFlushes));
        }

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }
    }
}
