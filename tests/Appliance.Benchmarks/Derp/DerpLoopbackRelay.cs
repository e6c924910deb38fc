using System.Net;
using Appliance.Control.Connections;
using Appliance.Derp.Admission;
using Appliance.Derp.Relay;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Derp;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Derp;
using Appliance.TestKit.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Benchmarks.Derp;

/// <summary>
/// Load generator: the real relay behind Kestrel on 127.0.0.1 (plain HTTP upgrade, as derper was measured with
/// TS_DEBUG_USE_DERP_HTTP), and C# DERP clients in pairs. Each sender keeps at most <c>window</c> packets in flight
/// (sent but not yet received by its peer), like the "loss-free, ≤ 256 in flight" derper figures (docs/benchmarks.md, DERP relay).
/// </summary>
internal sealed class DerpLoopbackRelay : IAsyncDisposable
{
    private readonly LoopbackHost _host;
    private readonly string _dataDir;

    private DerpLoopbackRelay(LoopbackHost host, string dataDir)
    {
        _host = host;
        _dataDir = dataDir;
    }

    public IPEndPoint EndPoint => _host.EndPoint;

    public DerpServer Server => _host.Services.GetRequiredService<DerpServer>();

    public static async Task<DerpLoopbackRelay> StartAsync(int sendQueuePackets)
    {
        var dataDir = Directory.CreateTempSubdirectory("derp-bench-").FullName;
        var options = new ApplianceOptions();
        options.Server.DataDir = dataDir;
        options.Derp.StunListen = "127.0.0.1:0";
        options.Derp.VerifyClients = false;
        options.Derp.AllowPlainHttp = true;
        options.Derp.SendQueuePackets = sendQueuePackets;
        var builder = LoopbackHost.CreateBuilder(listen => listen.UseConnectionUpgrades());
        builder.Services.AddDerp(options);
        var app = builder.Build();
        app.MapDerp();
        return new DerpLoopbackRelay(await LoopbackHost.StartAsync(app), dataDir);
    }

    public Task<DerpTestClient> ConnectAsync() =>
        DerpHttpConnector.ConnectAsync(EndPoint, NodePrivate.Generate(), "127.0.0.1", trustedCertificate: null);

    /// <summary>A sender that sees no packet arrive for this long fails the run with the relay's counters instead of hanging.</summary>
    private static readonly TimeSpan NoProgressLimit = TimeSpan.FromSeconds(60);

    /// <summary>Relays <paramref name="packetsPerPair"/> packets one way across every pair; returns when all arrived.</summary>
    public async Task RunPairsAsync(IReadOnlyList<(DerpTestClient Sender, DerpTestClient Receiver)> pairs, int packetsPerPair, int packetSize, int window)
    {
        var packet = new byte[packetSize];
        await Task.WhenAll(pairs.Select(pair => RunPairAsync(pair.Sender, pair.Receiver, packet, packetsPerPair, window)));
    }

    private async Task RunPairAsync(DerpTestClient sender, DerpTestClient receiver, byte[] packet, int count, int window)
    {
        var received = 0;
        using var progress = new SemaphoreSlim(0);
        var receive = Task.Run(async () =>
        {
            while (Volatile.Read(ref received) < count)
            {
                var n = await receiver.ReceivePacketsAsync();
                if (n < 0)
                {
                    throw new IOException("relay closed the receiver");
                }

                if (n > 0)
                {
                    Interlocked.Add(ref received, n);
                    progress.Release();
                }
            }
        });

        var sent = 0;
        while (sent < count)
        {
            var room = Math.Min(window - (sent - Volatile.Read(ref received)), count - sent);
            if (room <= 0)
            {
                if (!await progress.WaitAsync(NoProgressLimit))
                {
                    var m = Server.Metrics;
                    throw new TimeoutException($"no progress for {NoProgressLimit.TotalSeconds} s: sent {sent}, received {Volatile.Read(ref received)}, relayed {m.PacketsRelayed}, dropped full/gone/unknown {m.PacketsDroppedQueueFull}/{m.PacketsDroppedGone}/{m.PacketsDroppedUnknownDestination}");
                }

                continue;
            }

            for (var i = 0; i < room; i++)
            {
                sender.WritePacket(receiver.PublicKey, packet);
            }

            sent += room;
            await sender.FlushAsync();
        }

        await receive;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }
}
