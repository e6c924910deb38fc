using Appliance.Policy.Compilation;
using Appliance.State.Policy;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Policy;

/// <summary>
/// One node joins a 1,000-node tailnet under a policy: what the server does for the join before any map is sent,
/// <see cref="PolicyEvaluator.Rebuild"/> (compile the accepted policy for the new topology and derive every node's
/// view, reusing the previous views where they did not change). Two policies: the allow-all ACL (every node sees
/// every node, the largest views) and the synthetic tailnet's 1,000 rules (<see cref="PolicyBenchmarkTailnet"/>).
/// Each iteration rebuilds from the same 1,000-node policy, so every iteration does the same work.
/// Run: dotnet run -c Release --project tests/Appliance.Benchmarks -- --filter '*PolicyJoin*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class PolicyJoinBenchmarks
{
    private const string AllowAllAcl = """{"acls":[{"action":"accept","src":["*"],"dst":["*:*"]}]}""";

    private TailnetPolicy _current = null!;
    private PolicyTopology _joined = null!;
    private readonly CompileOptions _options = new() { RunTests = false };

    [Params("allow-all", "synthetic")]
    public string Policy { get; set; } = "allow-all";

    [Params(1_000)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var text = Policy == "allow-all" ? AllowAllAcl : PolicyBenchmarkTailnet.Policy(1_000);
        var before = PolicyBenchmarkTailnet.Topology(Nodes);
        _joined = PolicyBenchmarkTailnet.Topology(Nodes + 1);
        var compiled = CompiledPolicy.Compile(text, before, _options).Policy
            ?? throw new InvalidOperationException("benchmark policy does not compile");
        _current = PolicyEvaluator.Build(new PolicySource(text, "benchmark", null, ""), compiled, before, previous: null);
    }

    [Benchmark(Description = "Rebuild: one node joins (compile + every node's view)")]
    public TailnetPolicy Join() => PolicyEvaluator.Rebuild(_current, _joined, _options);

    /// <summary>The same join followed by the check the fan-out makes per receiver: did its view change, and which peers.</summary>
    [Benchmark(Description = "Rebuild + every receiver's peer diff (what PolicyDelta walks)")]
    public int JoinAndDiff()
    {
        var next = PolicyEvaluator.Rebuild(_current, _joined, _options);
        var changed = 0;
        foreach (var (id, view) in next.Views)
        {
            if (_current.Views.TryGetValue(id, out var old) && !ReferenceEquals(old, view))
            {
                changed += PolicyEvaluator.ChangedPeers(old, view).Count;
            }
        }

        return changed;
    }
}
