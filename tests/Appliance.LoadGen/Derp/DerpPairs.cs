using System.IO.Pipelines;
using System.Net;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Derp;

namespace Appliance.LoadGen.Derp;

/// <summary>
/// Sender/receiver pairs of C# DERP clients on their own upgraded TCP connections. Each sender keeps at most
/// <c>window</c> packets in flight (sent, not yet seen by its receiver), like the "≤ 256 in flight, loss-free" derper
/// figures in /work/shared/docs/performance.md; a relay that drops a packet leaves the window short for good, which
/// the stall timeout reports instead of hanging.
/// </summary>
internal sealed class DerpPairs : IAsyncDisposable
{
    private readonly List<(DerpTestClient Sender, DerpTestClient Receiver)> _pairs;

    private DerpPairs(List<(DerpTestClient, DerpTestClient)> pairs) => _pairs = pairs;

    public static async Task<DerpPairs> ConnectAsync(IPEndPoint relay, string hostName, int count, CancellationToken cancellationToken)
    {
        var pairs = new List<(DerpTestClient, DerpTestClient)>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                pairs.Add((await ConnectOneAsync(relay, hostName, cancellationToken), await ConnectOneAsync(relay, hostName, cancellationToken)));
            }
        }
        catch
        {
            await new DerpPairs(pairs).DisposeAsync();
            throw;
        }

        return new DerpPairs(pairs);
    }

    /// <summary>64 KiB reads on the client side, so the generator spends as little of the shared CPU as it can.</summary>
    private static async Task<DerpTestClient> ConnectOneAsync(IPEndPoint relay, string hostName, CancellationToken cancellationToken)
    {
        var (stream, _) = await DerpHttpConnector.UpgradeAsync(relay, hostName, trustedCertificate: null, "DERP", cancellationToken);
        return await DerpTestClient.ConnectAsync(
            PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, useZeroByteReads: true)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024)),
            NodePrivate.Generate(),
            stream,
            cancellationToken);
    }

    /// <summary>Relays <paramref name="packetsPerPair"/> packets one way across every pair at once; returns when all arrived.</summary>
    public Task RunAsync(int packetsPerPair, int packetSize, int window, TimeSpan stallTimeout, CancellationToken cancellationToken)
    {
        var packet = new byte[packetSize];
        Random.Shared.NextBytes(packet);
        return Task.WhenAll(_pairs.Select(pair => Task.Run(() => RunPairAsync(pair.Sender, pair.Receiver, packet, packetsPerPair, window, stallTimeout, cancellationToken), cancellationToken)));
    }

    private static async Task RunPairAsync(DerpTestClient sender, DerpTestClient receiver, byte[] packet, int count, int window, TimeSpan stallTimeout, CancellationToken cancellationToken)
    {
        var received = 0;
        using var progress = new SemaphoreSlim(0);
        var receive = Task.Run(async () =>
        {
            while (Volatile.Read(ref received) < count)
            {
                var n = await receiver.ReceivePacketsAsync(cancellationToken);
                if (n < 0)
                {
                    throw new IOException("the relay closed the receiver");
                }

                if (n > 0)
                {
                    _ = Interlocked.Add(ref received, n);
                    _ = progress.Release();
                }
            }
        }, cancellationToken);

        var sent = 0;
        while (sent < count)
        {
            var room = Math.Min(window - (sent - Volatile.Read(ref received)), count - sent);
            if (room <= 0)
            {
                if (!await progress.WaitAsync(stallTimeout, cancellationToken))
                {
                    throw new TimeoutException($"no packet arrived for {stallTimeout.TotalSeconds} s: sent {sent}, received {Volatile.Read(ref received)} (the relay dropped or stalled)");
                }

                continue;
            }

            for (var i = 0; i < room; i++)
            {
                sender.WritePacket(receiver.PublicKey, packet);
            }

            sent += room;
            await sender.FlushAsync(cancellationToken);
        }

        await receive;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (sender, receiver) in _pairs)
        {
            await DisposeQuietlyAsync(sender);
            await DisposeQuietlyAsync(receiver);
        }
    }

    private static async ValueTask DisposeQuietlyAsync(DerpTestClient client)
    {
        try
        {
            await client.DisposeAsync();
        }
        catch (IOException)
        {
            // The relay may already have closed it.
        }
    }
}
