using System.Diagnostics;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Control;

/// <summary>
/// Time-to-all-peers: one node's endpoint change, from ApplyMapRequest until every one of 1,000 connected streams
/// has read its framed delta (in-process load generator: one reader task per stream, as the HTTP handler does).
/// Coalescing is off so the number is the fan-out cost itself, not the window.
/// </summary>
public class FanOutBenchmarks
{
    private ControlCoordinator _coordinator = null!;
    private List<(MachinePublic Machine, NodePublic Node)> _members = null!;
    private readonly List<MapStreamHandle> _handles = [];
    private readonly List<Task> _readers = [];
    private CancellationTokenSource _stop = null!;
    private CountdownEvent _received = null!;
    private int _port;

    [Params(1_000)]
    public int Streams { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _coordinator = TailnetBuilder.Build(Streams, TimeSpan.Zero, out _members);
        _stop = new CancellationTokenSource();
        _received = new CountdownEvent(0);
        foreach (var entry in _coordinator.Snapshot.Nodes.Values.Skip(1))
        {
            var handle = _coordinator.Connect(entry.Id, zstd: true);
            _handles.Add(handle);
            _readers.Add(Task.Run(async () =>
            {
                var first = true;
                await foreach (var _ in handle.Session.ReadAllAsync(_stop.Token))
                {
                    if (!first)
                    {
                        _received.Signal();
                    }

                    first = false;
                }
            }));
        }

        Thread.Sleep(2000);
    }

    [Benchmark]
    public TimeSpan OneChangeReachesAllStreams()
    {
        _received.Reset(_handles.Count);
        var sender = _members[0];
        var started = Stopwatch.GetTimestamp();
        _coordinator.ApplyMapRequest(sender.Machine, new MapRequest { Version = 133, NodeKey = sender.Node, Endpoints = [$"203.0.113.1:{++_port % 60000 + 1}"] });
        _received.Wait();
        return Stopwatch.GetElapsedTime(started);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop.Cancel();
        foreach (var handle in _handles)
        {
            handle.Dispose();
        }

        _coordinator.Dispose();
        _stop.Dispose();
        _received.Dispose();
    }
}
