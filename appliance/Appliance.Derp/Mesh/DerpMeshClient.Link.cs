using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Appliance.Derp.Relay;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Mesh;

public sealed partial class DerpMeshClient
{
    /// <summary>
    /// One connected link's send side: any thread queues (forwarded packets from many clients' read loops, the Pong
    /// from the read loop), one write loop drains into the pipe. Packets beyond the bound are dropped, never waited for,
    /// so a slow peer cannot stall the local relay.
    /// </summary>
    private sealed class Link
    {
        private readonly Channel<(byte[] Buffer, int Length, bool IsPacket)> _queue =
            Channel.CreateUnbounded<(byte[], int, bool)>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });

        private readonly PipeWriter _output;
        private readonly int _limit;
        private readonly Task _writer;
        private int _queuedPackets;

        public Link(PipeWriter output, int limit, CancellationToken cancellationToken)
        {
            _output = output;
            _limit = limit;
            _writer = Task.Run(() => WriteLoopAsync(cancellationToken), CancellationToken.None);
        }

        public bool TryQueueForward(NodePublic source, NodePublic destination, in ReadOnlySequence<byte> packet)
        {
            if (Interlocked.Increment(ref _queuedPackets) > _limit)
            {
                _ = Interlocked.Decrement(ref _queuedPackets);
                return false;
            }

            var payloadLength = (2 * DerpConstants.KeyLength) + (int)packet.Length;
            var length = DerpConstants.FrameHeaderLength + payloadLength;
            var buffer = ArrayPool<byte>.Shared.Rent(length);
            _ = DerpFrameWriter.TryWriteHeader(buffer, DerpFrameType.ForwardPacket, payloadLength);
            source.CopyTo(buffer.AsSpan(DerpConstants.FrameHeaderLength));
            destination.CopyTo(buffer.AsSpan(DerpConstants.FrameHeaderLength + DerpConstants.KeyLength));
            packet.CopyTo(buffer.AsSpan(DerpConstants.FrameHeaderLength + (2 * DerpConstants.KeyLength)));
            if (_queue.Writer.TryWrite((buffer, length, true)))
            {
                return true;
            }

            _ = Interlocked.Decrement(ref _queuedPackets);
            ArrayPool<byte>.Shared.Return(buffer);
            return false;
        }

        public void Enqueue(DerpFrameType type, ReadOnlySpan<byte> payload)
        {
            var length = DerpConstants.FrameHeaderLength + payload.Length;
            var buffer = ArrayPool<byte>.Shared.Rent(length);
            _ = DerpFrameWriter.TryWriteFrame(buffer, type, payload, out _);
            if (!_queue.Writer.TryWrite((buffer, length, false)))
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        public async Task StopAsync()
        {
            _ = _queue.Writer.TryComplete();
            await _writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            while (_queue.Reader.TryRead(out var frame))
            {
                ArrayPool<byte>.Shared.Return(frame.Buffer);
            }
        }

        private async Task WriteLoopAsync(CancellationToken cancellationToken)
        {
            var reader = _queue.Reader;
            try
            {
                while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (reader.TryRead(out var frame))
                    {
                        try
                        {
                            _output.Write(frame.Buffer.AsSpan(0, frame.Length));
                        }
                        finally
                        {
                            ArrayPool<byte>.Shared.Return(frame.Buffer);
                            if (frame.IsPacket)
                            {
                                _ = Interlocked.Decrement(ref _queuedPackets);
                            }
                        }
                    }

                    if ((await _output.FlushAsync(cancellationToken).ConfigureAwait(false)).IsCompleted)
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The link is ending; the read side reports why.
            }
            catch (Exception exception) when (TransportFailure.Is(exception))
            {
                // The peer went away; the read side sees it too.
            }
        }
    }
}
