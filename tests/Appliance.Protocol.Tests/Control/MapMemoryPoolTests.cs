using Appliance.Protocol.Control;
using ZstdSharp;

namespace Appliance.Protocol.Tests.Control;

/// <summary>
/// Issue 16: what map framing keeps between maps is bounded by cores, not by threads or streams, and an idle frame
/// pool is given back.
/// </summary>
public sealed class MapMemoryPoolTests
{
    [Fact]
    public async Task Compression_on_many_threads_keeps_at_most_one_context_per_core_and_stays_correct()
    {
        var json = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"{{\"ID\":{i},\"Name\":\"node-{i}\"}},")));
        var threads = Enumerable.Range(0, 4 * ZstdCompressorPool.Retained + 8).Select(_ => Task.Factory.StartNew(
            () =>
            {
                for (var i = 0; i < 20; i++)
                {
                    var framed = MapMessageWriter.Frame(json, zstd: true);
                    using var decompressor = new Decompressor();
                    Assert.Equal(json, decompressor.Unwrap(framed.AsSpan(4)).ToArray());
                }
            },
            TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(threads);

        Assert.InRange(ZstdCompressorPool.Idle, 1, ZstdCompressorPool.Retained);

        // Sequential use afterwards creates nothing new: the kept contexts are reused.
        var created = ZstdCompressorPool.Created;
        for (var i = 0; i < 50; i++)
        {
            MapMessageWriter.Frame(json, zstd: true);
        }

        Assert.Equal(created, ZstdCompressorPool.Created);
    }

    [Fact]
    public void An_idle_frame_pool_is_given_back_and_a_busy_one_is_kept()
    {
        const int Size = 3 * 1024 * 1024;
        var first = MapFramePool.Rent(Size);
        MapFramePool.Return(first);

        // Used since the last check: kept.
        Assert.False(MapFramePool.TrimIfIdle());
        var again = MapFramePool.Rent(Size);
        Assert.Same(first, again);
        MapFramePool.Return(again);

        // Another test may rent in between; a whole quiet period is what trims.
        var trimmed = false;
        for (var i = 0; i < 20 && !trimmed; i++)
        {
            trimmed = MapFramePool.TrimIfIdle();
        }

        Assert.True(trimmed);
        Assert.False(MapFramePool.TrimIfIdle());
        var fresh = MapFramePool.Rent(Size);
        Assert.NotSame(first, fresh);
        MapFramePool.Return(fresh);
    }
}
