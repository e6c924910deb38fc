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
[Config(typeof(ShortInProcessConfig))]
public class FanOutBenchmarks
{
    private ControlCoordinator _coordinator = null!;
    private List<(MachinePublic Machine, NodePublic Node)> _members = null!;
    private readonly List<MapStreamHandle> _handles = [];
    private readonly List<Task> _readers = [];
    private CancellationTokenSource _stop = null!;
    private ManualResetEventSlim _allReceived = null!;
    private int _remaining;
    private int _synced;
    private int _port;

    [Params(1_000)]
    public int Streams { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _coordinator = TailnetBuilder.Build(Streams, TimeSpan.Zero, out _members);
        _stop = new CancellationTokenSource();
        _allReceived = new ManualResetEventSlim(false);
        foreach (var entry in _coordinator.Snapshot.Nodes.Values.Skip(1))
        {
            var handle = _coordinator.Connect(entry.Id, zstd: true);
            _handles.Add(handle);
            _readers.Add(Task.Run(async () =>
            {
                var first = true;
                await foreach (var _ in handle.Session.ReadAllAsync(_stop.Token))
                {
                    // A stray message (a keep-alive) only drives the count below zero; it never faults the reader.
                    if (!first && Interlocked.Decrement(ref _remaining) == 0)
                    {
                        _allReceived.Set();
                    }

                    if (first)
                    {
                        Interlocked.Increment(ref _synced);
                    }

                    first = false;
                }
            }));
        }

        // Every stream has read its first (full) map before anything is measured.
        if (!SpinWait.SpinUntil(() => Volatile.Read(ref _synced) == _handles.Count, TimeSpan.FromMinutes(5)))
        {
            throw new TimeoutException($"only {_synced} of {_handles.Count} streams got their first map");
        }
    }

    [Benchmark]
    public TimeSpan OneChangeReachesAllStreams()
    {
        _allReceived.Reset();
        Volatile.Write(ref _remaining, _handles.Count);
        var sender = _members[0];
        var started = Stopwatch.GetTimestamp();
        _coordinator.ApplyMapRequest(sender.Machine, new MapRequest { Version = 133, NodeKey = sender.Node, Endpoints = [$"203.0.113.1:{++_port % 60000 + 1}"] });
        if (!_allReceived.Wait(TimeSpan.FromMinutes(1)))
        {
            throw new TimeoutException($"{Volatile.Read(ref _remaining)} of {_handles.Count} streams never got the delta");
        }

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
        _allReceived.Dispose();
    }
}
