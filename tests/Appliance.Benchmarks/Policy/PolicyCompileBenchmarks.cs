using Appliance.Policy.Compilation;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Appliance.Benchmarks.Policy;

/// <summary>
/// Compile once per policy/topology change, then derive each node's view from the shared result.
/// ForNode is averaged over 100 nodes spread across the tailnet (tagged and untagged, routers included),
/// because a map update pays it for every node.
/// Run: dotnet run -c Release --project tests/Appliance.Benchmarks -- --filter '*PolicyCompile*'
/// (a short job in-process: no per-benchmark build, which a busy shared machine could not finish in time).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcess))]
public class PolicyCompileBenchmarks
{
    private const int Sampled = 100;

    private PolicyTopology _topology = null!;
    private string _policy = "";
    private CompiledPolicy _compiled = null!;
    private long[] _sample = [];

    [Params(100, 1_000, 10_000)]
    public int Nodes { get; set; }

    [Params(1_000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _topology = PolicyBenchmarkTailnet.Topology(Nodes);
        _policy = PolicyBenchmarkTailnet.Policy(Rules);
        _compiled = CompiledPolicy.Compile(_policy, _topology).Policy
            ?? throw new InvalidOperationException("benchmark policy does not compile");

        // Ids 1..Nodes spread evenly; the +k offset walks through every residue of the "every fifth node is
        // tagged" pattern (with no more nodes than samples, every node is taken once).
        var offset = Nodes > Sampled ? 1 : 0;
        _sample = Enumerable.Range(0, Sampled).Select(k => 1 + (((long)k * Nodes / Sampled) + (k * offset)) % Nodes).ToArray();
    }

    [Benchmark(Description = "Compile (parse + resolve + index) the whole tailnet")]
    public CompiledPolicy Compile() => CompiledPolicy.Compile(_policy, _topology).Policy!;

    [Benchmark(Description = "ForNode: one node's filter, peers, SSH and caps (mean of 100 nodes)", OperationsPerInvoke = Sampled)]
    public int ForNode()
    {
        var peers = 0;
        foreach (var id in _sample)
        {
            peers += _compiled.ForNode(id).Peers.Count;
        }

        return peers;
    }

    private sealed class ShortInProcess : ManualConfig
    {
        public ShortInProcess() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
    }
}
