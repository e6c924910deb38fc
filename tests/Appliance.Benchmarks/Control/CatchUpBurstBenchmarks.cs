using System.Diagnostics;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Control;

/// <summary>
/// A burst under load (issue 16, decision 0108): 64 endpoint changes published back to back while 1,000 connected
/// streams are sending (each reader yields between writes, as a socket write would), so streams catch up from
/// scattered baselines to moving targets. Measured until every stream has caught up with the last change. The
/// catch-up work per stream is what this isolates: one delta built and encoded per (baseline, target) range before,
/// shared intervals after.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class CatchUpBurstBenchmarks
{
    private ControlCoordinator _coordinator = null!;
    private List<(MachinePublic Machine, NodePublic Node)> _members = null!;
    private readonly List<MapStreamHandle> _handles = [];
    private readonly List<Task> _readers = [];
    private CancellationTokenSource _stop = null!;
    private int _synced;
    private int _port;

    [Params(1_000)]
    public int Streams { get; set; }

    [Params(64)]
    public int Changes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _coordinator = TailnetBuilder.Build(Streams, TimeSpan.Zero, out _members);
        _stop = new CancellationTokenSource();
        foreach (var entry in _coordinator.Snapshot.Nodes.Values.Skip(4))
        {
            var handle = _coordinator.Connect(entry.Id, zstd: true);
            _handles.Add(handle);
            _readers.Add(Task.Run(async () =>
            {
                var first = true;
                await foreach (var _ in handle.Session.ReadAllAsync(_stop.Token))
                {
                    if (first)
                    {
                        Interlocked.Increment(ref _synced);
                        first = false;
                    }

                    // The write takes a moment: changes published meanwhile are caught up with after it.
                    await Task.Yield();
                }
            }));
        }

        if (!SpinWait.SpinUntil(() => Volatile.Read(ref _synced) == _handles.Count, TimeSpan.FromMinutes(5)))
        {
            throw new TimeoutException($"only {_synced} of {_handles.Count} streams got their first map");
        }
    }

    [Benchmark]
    public TimeSpan BurstReachesAllStreams()
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < Changes; i++)
        {
            var sender = _members[i % 4];
            _coordinator.ApplyMapRequest(sender.Machine, new MapRequest { Version = 133, NodeKey = sender.Node, Endpoints = [$"203.0.113.1:{++_port % 60000 + 1}"] });
        }

        if (!SpinWait.SpinUntil(() => _handles.TrueForAll(h => h.Session.Pending == 0), TimeSpan.FromMinutes(1)))
        {
            throw new TimeoutException($"{_handles.Count(h => h.Session.Pending != 0)} of {_handles.Count} streams never caught up");
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
    }
}
