using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Appliance.TestKit.Derp;

namespace Appliance.Benchmarks.Derp;

/// <summary>
/// DERP relay throughput on loopback, 1,400-byte packets, ≤ 256 in flight per pair, loss-free (the run fails if the
/// relay drops). One operation = one relayed packet, so Gbit/s = 1400 × 8 / (ns per op).
/// Run: <c>dotnet run -c Release --project tests/Appliance.Benchmarks -- --filter '*DerpRelay*'</c>.
/// </summary>
[Config(typeof(Config))]
public class DerpRelayBenchmarks
{
    private const int PacketSize = 1400;
    private const int Window = 256;
    private const int PacketsPerRound = 200_000;

    private DerpLoopbackRelay _relay = null!;
    private List<(DerpTestClient Sender, DerpTestClient Receiver)> _pairs = [];

    [Params(1, 10, 100)]
    public int Pairs { get; set; }

    private int PacketsPerPair => PacketsPerRound / Pairs;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        // Queue as deep as the in-flight window: the loss-free figure measures the relay, not a drop policy.
        _relay = await DerpLoopbackRelay.StartAsync(sendQueuePackets: Window);
        for (var i = 0; i < Pairs; i++)
        {
            _pairs.Add((await _relay.ConnectAsync(), await _relay.ConnectAsync()));
        }
    }

    [Benchmark(OperationsPerInvoke = PacketsPerRound)]
    public async Task RelayPackets()
    {
        await _relay.RunPairsAsync(_pairs, PacketsPerPair, PacketSize, Window);
        if (_relay.Server.Metrics.PacketsDroppedQueueFull != 0)
        {
            throw new InvalidOperationException($"relay dropped {_relay.Server.Metrics.PacketsDroppedQueueFull} packets: not loss-free");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (var (sender, receiver) in _pairs)
        {
            await sender.DisposeAsync();
            await receiver.DisposeAsync();
        }

        _pairs.Clear();
        await _relay.DisposeAsync();
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(2)
                .WithIterationCount(8));
            Options |= ConfigOptions.DisableOptimizationsValidator;
        }
    }
}
