using Appliance.Policy.Compilation;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Policy;

/// <summary>
/// Compile once per policy/topology change, then derive each node's view from the shared result.
/// Run: dotnet run -c Release --project tests/Appliance.Benchmarks -- --filter '*Policy*'
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class PolicyCompileBenchmarks
{
    private PolicyTopology _topology = null!;
    private string _policy = "";
    private CompiledPolicy _compiled = null!;

    [Params(10_000)]
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
    }

    [Benchmark(Description = "Compile (parse + resolve + index) the whole tailnet")]
    public CompiledPolicy Compile() => CompiledPolicy.Compile(_policy, _topology).Policy!;

    [Benchmark(Description = "ForNode: one node's filter, peers, SSH and caps")]
    public NodePolicyView ForOneNode() => _compiled.ForNode(4_242);
}
