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
/// <para>Nothing here waits unbounded on the relay: connecting, every flush (a relay that stops reading fills the
/// socket buffers), every wait for progress and the final wait for the last packets are each limited by the stall
/// timeout, and the first pair to fail cancels the others. Disposal closes the sockets before completing the
/// clients' pipes, so unflushed bytes cannot block it either.</para>
/// </summary>
internal sealed class DerpPairs : IAsyncDisposable
{
    private readonly List<Peer> _senders;
    private readonly List<Peer> _receivers;

    private DerpPairs(List<Peer> senders, List<Peer> receivers)
    {
        _senders = senders;
        _receivers = receivers;
    }

    public static async Task<DerpPairs> ConnectAsync(IPEndPoint relay, string hostName, int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var senders = new List<Peer>(count);
        var receivers = new List<Peer>(count);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout * Math.Max(1, count / 10));
        try
        {
            for (var i = 0; i < count; i++)
            {
                senders.Add(await ConnectOneAsync(relay, hostName, limit.Token));
                receivers.Add(await ConnectOneAsync(relay, hostName, limit.Token));
            }
        }
        catch (Exception e)
        {
            await new DerpPairs(senders, receivers).DisposeAsync();
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"connecting {count} pairs to the relay did not finish within {(timeout * Math.Max(1, count / 10)).TotalSeconds} s (connected {senders.Count + receivers.Count})", e);
            }

            throw;
        }

        return new DerpPairs(senders, receivers);
    }

    /// <summary>64 KiB reads on the client side, so the generator spends as little of the shared CPU as it can.</summary>
    private static async Task<Peer> ConnectOneAsync(IPEndPoint relay, string hostName, CancellationToken cancellationToken)
    {
        var (stream, _) = await DerpHttpConnector.UpgradeAsync(relay, hostName, trustedCertificate: null, "DERP", cancellationToken);
        try
        {
            var client = await DerpTestClient.ConnectAsync(
                PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, useZeroByteReads: true)),
                PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024)),
                NodePrivate.Generate(),
                stream,
                cancellationToken);
            return new Peer(client, stream);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Relays <paramref name="packetsPerPair"/> packets one way across every pair at once; returns when all arrived.
    /// Throws <see cref="TimeoutException"/> when a pair saw no progress for <paramref name="stallTimeout"/>, or
    /// <see cref="IOException"/> when the relay closed a connection.
    /// </summary>
    public async Task RunAsync(int packetsPerPair, int packetSize, int window, TimeSpan stallTimeout, CancellationToken cancellationToken)
    {
        var packet = new byte[packetSize];
        Random.Shared.NextBytes(packet);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var runs = _senders.Select((sender, i) => Task.Run(async () =>
        {
            try
            {
                await RunPairAsync(sender.Client, _receivers[i].Client, packet, packetsPerPair, window, stallTimeout, failed.Token);
            }
            catch
            {
                await failed.CancelAsync();
                throw;
            }
        }, CancellationToken.None)).ToList();
        try
        {
            await Task.WhenAll(runs);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The first real failure, not the cancellations it caused in the other pairs.
            var first = runs.Where(r => r.IsFaulted).Select(r => r.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (first is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            }

            throw;
        }
    }

    private static async Task RunPairAsync(DerpTestClient sender, DerpTestClient receiver, byte[] packet, int count, int window, TimeSpan stallTimeout, CancellationToken cancellationToken)
    {
        var received = 0;
        using var progress = new SemaphoreSlim(0);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receive = Task.Run(async () =>
        {
            while (Volatile.Read(ref received) < count)
            {
                var n = await receiver.ReceivePacketsAsync(stop.Token);
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
        }, CancellationToken.None);

        try
        {
            var sent = 0;
            while (sent < count)
            {
                var room = Math.Min(window - (sent - Volatile.Read(ref received)), count - sent);
                if (room <= 0)
                {
                    await WaitForProgressAsync(progress, receive, sent, () => Volatile.Read(ref received), stallTimeout, cancellationToken);
                    continue;
                }

                for (var i = 0; i < room; i++)
                {
                    sender.WritePacket(receiver.PublicKey, packet);
                }

                sent += room;
                using var flushLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                flushLimit.CancelAfter(stallTimeout);
                try
                {
                    await sender.FlushAsync(flushLimit.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"the relay took no bytes from the sender for {stallTimeout.TotalSeconds} s: sent {sent}, received {Volatile.Read(ref received)} (the relay stalled)");
                }
            }

            // Every packet is out: the last ones must still arrive, each gap no longer than the stall timeout.
            while (Volatile.Read(ref received) < count)
            {
                await WaitForProgressAsync(progress, receive, sent, () => Volatile.Read(ref received), stallTimeout, cancellationToken);
            }

            await receive;
        }
        finally
        {
            await stop.CancelAsync();
            _ = await Task.WhenAny(receive);
        }
    }

    private static async Task WaitForProgressAsync(SemaphoreSlim progress, Task receive, int sent, Func<int> received, TimeSpan stallTimeout, CancellationToken cancellationToken)
    {
        if (receive.IsFaulted)
        {
            await receive;
        }

        if (!await progress.WaitAsync(stallTimeout, cancellationToken))
        {
            if (receive.IsFaulted)
            {
                await receive;
            }

            throw new TimeoutException($"no packet arrived for {stallTimeout.TotalSeconds} s: sent {sent}, received {received()} (the relay dropped or stalled)");
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Sockets first: a client whose pipe still holds unflushed bytes would otherwise flush them into a relay
        // that may have stopped reading.
        foreach (var peer in _senders.Concat(_receivers))
        {
            await peer.Stream.DisposeAsync();
        }

        foreach (var peer in _senders.Concat(_receivers))
        {
            try
            {
                await peer.Client.DisposeAsync();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // Closed above, or by the relay.
            }
        }
    }

    private sealed record Peer(DerpTestClient Client, Stream Stream);
}
