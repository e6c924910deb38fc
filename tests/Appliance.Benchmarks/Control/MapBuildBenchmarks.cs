using Appliance.Protocol.Control;
using Appliance.State.Coordinator;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Control;

/// <summary>
/// Cost of one node's full map (build + JSON + zstd frame) and of one peer change's delta (build once + frame once,
/// the work a change costs regardless of how many streams share the bytes), for tailnets of 100, 1,000 and 10,000.
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

    [Benchmark]
    public int PatchDeltaFramed() => MapMessageWriter.Frame(_coordinator.Maps.Delta(_coordinator.Snapshot, _change, receiver: 0)!, zstd: true).Length;
}
