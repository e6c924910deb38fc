using System.Diagnostics;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using Appliance.State.Policy;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Control;

/// <summary>
/// The policy on the map path with 1,000 connected streams (coalescing off, in-process readers as in
/// <see cref="FanOutBenchmarks"/>), under a policy where every member reaches every member (the largest views):
/// an endpoint change reaching every stream, a topology change (a node advertises a route: one recompile, then
/// per-stream deltas), and a policy edit that changes every node's filter.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class PolicyFanOutBenchmarks
{
    private const string Policy443 = """{ "acls": [ { "action": "accept", "src": ["autogroup:member"], "dst": ["autogroup:member:443"] } ] }""";
    private const string Policy22 = """{ "acls": [ { "action": "accept", "src": ["autogroup:member"], "dst": ["autogroup:member:22,443"] } ] }""";

    private ControlCoordinator _coordinator = null!;
    private List<(MachinePublic Machine, NodePublic Node)> _members = null!;
    private readonly List<MapStreamHandle> _handles = [];
    private readonly List<Task> _readers = [];
    private CancellationTokenSource _stop = null!;
    private CountdownEvent _received = null!;
    private int _port;
    private bool _toggle;
    private volatile bool _measuring;

    [Params(1_000)]
    public int Streams { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _coordinator = TailnetBuilder.Build(Streams, TimeSpan.Zero, out _members);
        if (!_coordinator.ApplyPolicy(new PolicySource(Policy443, "benchmark", null, "")).Applied)
        {
            throw new InvalidOperationException("benchmark policy refused");
        }

        _stop = new CancellationTokenSource();
        _received = new CountdownEvent(0);
        using var firstMaps = new CountdownEvent(Streams - 1);
        foreach (var entry in _coordinator.Snapshot.Nodes.Values.Skip(1))
        {
            var handle = _coordinator.Connect(entry.Id, zstd: true);
            _handles.Add(handle);
            _readers.Add(Task.Run(async () =>
            {
                var first = true;
                await foreach (var _ in handle.Session.ReadAllAsync(_stop.Token))
                {
                    // Deltas during setup (other streams coming online) are not counted; only those after it.
                    if (!first)
                    {
                        if (_measuring)
                        {
                            _received.Signal();
                        }
                    }
                    else
                    {
                        firstMaps.Signal();
                    }

                    first = false;
                }
            }));
        }

        // A stream gets deltas only after its first full map (its baseline), so wait for all of them: with a
        // policy, a delta sent before then would be one the full map already contains.
        firstMaps.Wait();
        Thread.Sleep(1000);
        _measuring = true;
    }

    [Benchmark]
    public TimeSpan EndpointChangeReachesAllStreams()
    {
        _received.Reset(_handles.Count);
        var sender = _members[0];
        var started = Stopwatch.GetTimestamp();
        _coordinator.ApplyMapRequest(sender.Machine, new MapRequest { Version = 133, NodeKey = sender.Node, Endpoints = [$"203.0.113.1:{++_port % 60000 + 1}"] });
        _received.Wait();
        return Stopwatch.GetElapsedTime(started);
    }

    [Benchmark]
    public TimeSpan RouteAdvertisedRecompilesAndReachesAllStreams()
    {
        _received.Reset(_handles.Count);
        var sender = _members[0];
        _toggle = !_toggle;
        var started = Stopwatch.GetTimestamp();
        _coordinator.ApplyMapRequest(sender.Machine, new MapRequest
        {
            Version = 133,
            NodeKey = sender.Node,
            Hostinfo = new Hostinfo { Hostname = "node-0", OS = "linux", IPNVersion = "1.96.5", RoutableIPs = _toggle ? ["10.0.0.0/24"] : ["10.0.1.0/24"] },
        });
        _received.Wait();
        return Stopwatch.GetElapsedTime(started);
    }

    [Benchmark]
    public TimeSpan PolicyEditReachesAllStreams()
    {
        _received.Reset(_handles.Count);
        _toggle = !_toggle;
        var started = Stopwatch.GetTimestamp();
        _coordinator.ApplyPolicy(new PolicySource(_toggle ? Policy22 : Policy443, "benchmark", null, ""));
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
