using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Appliance.TestKit.Derp;

namespace Appliance.Benchmarks.Derp;

/// <summary>
/// Memory per idle DERP connection: opens 1,000 connections (server and client in one process, plain HTTP on
/// loopback), lets them settle, and reports the managed-heap and working-set growth per connection, both sides
/// included (so it over-states the server's share). Printed to the log as "DERP idle:".
/// </summary>
[Config(typeof(IdleConfig))]
public class DerpIdleMemoryBenchmarks
{
    private const int Connections = 1000;

    [Benchmark]
    public async Task IdleConnections()
    {
        await using var relay = await DerpLoopbackRelay.StartAsync(sendQueuePackets: 32);
        Settle();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var rssBefore = Process.GetCurrentProcess().WorkingSet64;
        var clients = new List<DerpTestClient>(Connections);
        for (var i = 0; i < Connections; i++)
        {
            clients.Add(await relay.ConnectAsync());
        }

        await Task.Delay(2000);
        Settle();
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        var rssAfter = process.WorkingSet64;
        Console.WriteLine($"DERP idle: {Connections} connections, managed heap +{(heapAfter - heapBefore) / Connections / 1024.0:F1} KiB/conn, working set +{(rssAfter - rssBefore) / Connections / 1024.0:F1} KiB/conn (client and server sides together), server connections {relay.Server.Metrics.ConnectionsCurrent}");
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    private static void Settle()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private sealed class IdleConfig : BenchmarkDotNet.Configs.ManualConfig
    {
        public IdleConfig()
        {
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(0).WithIterationCount(1));
            Options |= BenchmarkDotNet.Configs.ConfigOptions.DisableOptimizationsValidator;
        }
    }
}
