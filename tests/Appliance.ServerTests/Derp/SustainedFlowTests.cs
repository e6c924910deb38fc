using Appliance.Protocol.Keys;
using Appliance.TestKit.Derp;

namespace Appliance.ServerTests.Derp;

/// <summary>
/// A sustained, windowed flow through the real relay over Kestrel and TLS: the shape of the throughput benchmark
/// (≤ 256 packets in flight per pair, per-client queue 256, 1,400-byte packets), which once made no progress on a
/// saturated machine. A flush/backpressure deadlock, a queue that is never drained or a lost wake-up would stall
/// here; the test fails with the relay's counters instead of hanging.
/// </summary>
public class SustainedFlowTests
{
    private const int Window = 256;
    private static readonly TimeSpan NoProgressLimit = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1, 20_000)]
    [InlineData(8, 4_000)]
    public async Task Every_packet_of_a_windowed_flow_arrives_without_drops(int pairs, int packetsPerPair)
    {
        await using var host = await DerpKestrelHost.StartAsync(configure: o => o.Derp.SendQueuePackets = Window);
        var clients = new List<(DerpTestClient Sender, DerpTestClient Receiver)>();
        try
        {
            for (var i = 0; i < pairs; i++)
            {
                clients.Add((await Connect(host), await Connect(host)));
            }

            var packet = new byte[1400];
            await Task.WhenAll(clients.Select(pair => RunAsync(host, pair.Sender, pair.Receiver, packet, packetsPerPair)));

            var metrics = host.Server.Metrics;
            Assert.Equal(0, metrics.PacketsDroppedQueueFull);
            Assert.Equal(0, metrics.PacketsDroppedGone);
            // The relayed counter is added after each write burst, so it may trail the last delivery by a moment.
            for (var i = 0; i < 200 && metrics.PacketsRelayed < (long)pairs * packetsPerPair; i++)
            {
                await Task.Delay(50);
            }

            Assert.True(metrics.PacketsRelayed >= (long)pairs * packetsPerPair, $"relayed {metrics.PacketsRelayed}");
        }
        finally
        {
            foreach (var (sender, receiver) in clients)
            {
                await sender.DisposeAsync();
                await receiver.DisposeAsync();
            }
        }
    }

    private static async Task<DerpTestClient> Connect(DerpKestrelHost host)
    {
        var key = NodePrivate.Generate();
        host.Admission.Add(key.Public);
        return await DerpHttpConnector.ConnectAsync(host.EndPoint, key, TestCertificate.HostName, host.Certificate).WaitAsync(TimeSpan.FromSeconds(15));
    }

    private static async Task RunAsync(DerpKestrelHost host, DerpTestClient sender, DerpTestClient receiver, byte[] packet, int count)
    {
        var received = 0;
        using var progress = new SemaphoreSlim(0);
        var receive = Task.Run(async () =>
        {
            while (Volatile.Read(ref received) < count)
            {
                var n = await receiver.ReceivePacketsAsync().AsTask().WaitAsync(NoProgressLimit);
                Assert.True(n >= 0, "the relay closed the receiver");
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
            var room = Math.Min(Window - (sent - Volatile.Read(ref received)), count - sent);
            if (room <= 0)
            {
                if (!await progress.WaitAsync(NoProgressLimit))
                {
                    var m = host.Server.Metrics;
                    Assert.Fail($"no progress for {NoProgressLimit.TotalSeconds} s: sent {sent}, received {Volatile.Read(ref received)}, relayed {m.PacketsRelayed}, dropped full/gone/unknown {m.PacketsDroppedQueueFull}/{m.PacketsDroppedGone}/{m.PacketsDroppedUnknownDestination}");
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

        await receive.WaitAsync(TimeSpan.FromSeconds(60));
    }
}
