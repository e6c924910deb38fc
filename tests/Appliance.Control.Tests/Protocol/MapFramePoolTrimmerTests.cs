using Appliance.Control.Memory;
using Appliance.Protocol.Control;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Control.Tests.Protocol;

/// <summary>Issue 16: the frame pool's arrays are given back after a whole period without a full map, and only then.</summary>
public sealed class MapFramePoolTrimmerTests
{
    [Fact]
    public void A_period_without_a_full_map_gives_the_pool_back_and_a_period_with_one_keeps_it()
    {
        var trimmer = new MapFramePoolTrimmer(TimeProvider.System, NullLogger<MapFramePoolTrimmer>.Instance);
        var map = new MapResponse { Peers = [.. Enumerable.Range(1, 2000).Select(i => new Node { ID = i, Name = $"node-{i}.tailnet.example." })] };

        // A full map was framed (and its buffers returned) since the last look: kept.
        trimmer.Tick();
        MapMessageWriter.FramePooled(map, zstd: true).Dispose();
        Assert.False(trimmer.Tick());

        // Quiet from then on: the next look gives it back (other tests in this assembly may frame maps meanwhile, so
        // allow a few periods), and the one after has nothing left to give.
        var trimmed = false;
        for (var i = 0; i < 20 && !trimmed; i++)
        {
            trimmed = trimmer.Tick();
        }

        Assert.True(trimmed);
        Assert.False(trimmer.Tick());
        Assert.True(MapFramePool.Rents > 0);
    }
}
