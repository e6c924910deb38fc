using Appliance.Protocol.Control;
using Appliance.State.Coordinator;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Control;

/// <summary>
/// Cost of one node's full map (build + JSON + zstd frame) and of one peer change's delta (build once + frame once,
/// the work a change costs regardless of how many streams share the bytes), for tailnets of 100, 1,000 and 10,000.
/// The full map four ways: serialized whole into arrays (<see cref="FullMapFramed"/>, the first measurement), into
/// rented buffers (what streams did before issue 16's peer cache), from each peer's cached JSON (what they do now),
/// and each of the last two without zstd, to show what compression costs.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class MapBuildBenchmarks
{
    private ControlCoordinator _coordinator = null!;
    private NodeEntry _self = null!;
    private ChangeSet _change = null!;

    [Params(100, 1_000, 10_000)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _coordinator = TailnetBuilder.Build(Nodes, TimeSpan.Zero, out _);
        _self = _coordinator.Snapshot.Nodes.Values.First();
        _change = new ChangeSet();
        _change.AddPatch(new PeerChange { NodeID = _coordinator.Snapshot.Nodes.Keys.Last(), Endpoints = ["198.51.100.1:41641"] });
    }

    [GlobalCleanup]
    public void Cleanup() => _coordinator.Dispose();

    [Benchmark]
    public int FullMapFramed() => MapMessageWriter.Frame(_coordinator.Maps.Full(_coordinator.Snapshot, _self), zstd: true).Length;

    /// <summary>What a stream does for its first message: JSON and zstd into rented buffers (<see cref="PooledFrame"/>).</summary>
    [Benchmark]
    public int FullMapPooledZstd()
    {
        using var frame = MapMessageWriter.FramePooled(_coordinator.Maps.Full(_coordinator.Snapshot, _self), zstd: true);
        return frame.Length;
    }

    /// <summary>What a stream does: blocks of 64 unchanged peers copied compressed, the rest compressed (<see cref="MapBuilder.FullFramed"/>).</summary>
    [Benchmark]
    public int FullMapFromCachedPeersZstd()
    {
        using var frame = _coordinator.Maps.FullFramed(_coordinator.Snapshot, _self, zstd: true);
        return frame.Length;
    }

    /// <summary>
    /// <see cref="FullMapFromCachedPeersZstd"/> with no compressed peer block kept (<see cref="PeerBlockCache"/>): the
    /// cost of the first full map after every block changed. The cached case is the steady state: a join or a change
    /// touches one block of 64 peers, and the rest are reused.
    /// </summary>
    [Benchmark]
    public int FullMapZstdNoBlocksCached()
    {
        _coordinator.Maps.PeerBlocks.Clear();
        using var frame = _coordinator.Maps.FullFramed(_coordinator.Snapshot, _self, zstd: true);
        return frame.Length;
    }

    /// <summary>The same without compression: what is left of a full map once its peers are cached.</summary>
    [Benchmark]
    public int FullMapFromCachedPeersJsonOnly()
    {
        using var frame = _coordinator.Maps.FullFramed(_coordinator.Snapshot, _self, zstd: false);
        return frame.Length;
    }

    /// <summary>The same without compression: the JSON's share of <see cref="FullMapPooledZstd"/>.</summary>
    [Benchmark]
    public int FullMapPooledJsonOnly()
    {
        using var frame = MapMessageWriter.FramePooled(_coordinator.Maps.Full(_coordinator.Snapshot, _self), zstd: false);
        return frame.Length;
    }

    [Benchmark]
    public int PatchDeltaFramed() => MapMessageWriter.Frame(_coordinator.Maps.Delta(_coordinator.Snapshot, _change, receiver: 0)!, zstd: true).Length;
}
