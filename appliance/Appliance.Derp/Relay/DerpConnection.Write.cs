using System.Buffers;

namespace Appliance.Derp.Relay;

/// <summary>The write loop: drains the queue into the pipe, flushing once per burst so that many frames share one write.</summary>
internal sealed partial class DerpConnection
{
    /// <summary>Flush at least every 64 KiB inside a burst: large enough to batch ~45 full-MTU packets per write, small enough to keep the pipe's own buffering bounded.</summary>
    private const int FlushThreshold = 64 * 1024;

    private async Task WriteLoopAsync()
    {
        var output = _pipe.Output;
        var reader = _queue.Reader;
        var token = _abort.Token;
        var metrics = _server.Metrics;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                var pending = 0;
                long packets = 0;
                long bytes = 0;
                while (reader.TryRead(out var frame))
                {
                    try
                    {
                        output.Write(frame.Buffer.AsSpan(0, frame.Length));
                    }
                    finally
                    {
                        Release(frame);
                    }

                    pending += frame.Length;
                    if (frame.Packets > 0)
                    {
                        // Payload bytes only: a batch is Packets frames of header + source key + packet.
                        packets += frame.Packets;
                        bytes += frame.Length - (frame.Packets * (Protocol.Derp.DerpConstants.FrameHeaderLength + Protocol.Derp.DerpConstants.KeyLength));
                    }

                    if (pending >= FlushThreshold)
                    {
                        pending = 0;
                        if ((await output.FlushAsync(token).ConfigureAwait(false)).IsCompleted)
                        {
                            return;
                        }
                    }
                }

                _ = Interlocked.Add(ref metrics.PacketsRelayedValue, packets);
                _ = Interlocked.Add(ref metrics.BytesRelayedValue, bytes);
                if ((await output.FlushAsync(token).ConfigureAwait(false)).IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Aborted: the read side reports the reason.
        }
        catch (Exception exception) when (TransportFailure.Is(exception))
        {
            // The transport failed or the pipe was completed under us; the read side will see it too.
        }
        finally
        {
            // Stop the read loop too, then give back whatever is still queued.
            Abort(DerpCloseReason.ClientClosed);
            _ = _queue.Writer.TryComplete();
            while (reader.TryRead(out var frame))
            {
                _ = Interlocked.Add(ref metrics.PacketsDroppedGoneValue, frame.Packets);

                Release(frame);
            }
        }
    }
}
