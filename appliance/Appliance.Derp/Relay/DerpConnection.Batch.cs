using System.Buffers;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Relay;

/// <summary>
/// Sender side of the packet path: the packets of one read buffer are gathered per destination into one rented buffer
/// of RecvPacket frames and handed to each destination's queue once, when the read buffer is used up. One channel
/// write, one wake-up of the receiver's write loop and one buffer rental per destination per read buffer, instead of
/// one of each per packet (issue 16). The receiver's queue limit is still applied per packet, when the packet is
/// gathered, so drops are decided and counted as before; a batch is handed over early once it holds half that limit.
/// </summary>
internal sealed partial class DerpConnection
{
    /// <summary>Room for about 45 full-MTU packets; a larger packet gets a buffer of its own size.</summary>
    private const int BatchBufferSize = 64 * 1024;

    /// <summary>Bytes of the current read buffer after the frame being handled (read loop); bounds a new batch's size.</summary>
    private long _unparsedBytes;

    /// <summary>Destinations gathered from the current read buffer. Read-loop thread only; usually one or two entries.</summary>
    private readonly List<PacketBatch> _batches = [];

    /// <summary>Appends RecvPacket(source, packet) to <paramref name="target"/>'s batch, or drops and counts it when its queue is full.</summary>
    private bool TryGather(DerpConnection target, NodePublic source, in ReadOnlySequence<byte> packet)
    {
        if (!target.TryReservePacket())
        {
            return false;
        }

        var packetLength = (int)packet.Length;
        var frameLength = DerpConstants.FrameHeaderLength + DerpConstants.KeyLength + packetLength;
        var batch = FindBatch(target);
        if (batch.Buffer is not null && batch.Buffer.Length - batch.Length < frameLength)
        {
            target.EnqueueBatch(batch);
            batch.Reset();
        }

        // Sized by what is left of the read buffer: a lone packet (the usual case off the benchmark) rents a buffer
        // of its own size, not 64 KiB, so a queue of them costs what it did when every packet was queued alone.
        batch.Buffer ??= _server.Buffers.Rent((int)Math.Min(Math.Max(BatchBufferSize, frameLength), frameLength + _unparsedBytes));
        var span = batch.Buffer.AsSpan(batch.Length, frameLength);
        _ = DerpFrameWriter.TryWriteHeader(span, DerpFrameType.RecvPacket, DerpConstants.KeyLength + packetLength);
        source.CopyTo(span[DerpConstants.FrameHeaderLength..]);
        packet.CopyTo(span[(DerpConstants.FrameHeaderLength + DerpConstants.KeyLength)..]);
        batch.Length += frameLength;
        batch.Packets++;
        if (batch.Packets >= target.BatchPacketLimit)
        {
            target.EnqueueBatch(batch);
            batch.Reset();
        }

        return true;
    }

    /// <summary>
    /// A batch is handed over once it holds half the receiver's queue limit: its packets count against that limit
    /// while they are gathered, and the receiver's write loop cannot drain them until then, so a whole read buffer
    /// to one destination (45 full-size packets) must not use up a default queue of 32 and turn a burst that
    /// derper's concurrently drained queue would take into drops.
    /// </summary>
    private int BatchPacketLimit => Math.Max(1, _queueLimit / 2);

    private PacketBatch FindBatch(DerpConnection target)
    {
        foreach (var batch in _batches)
        {
            if (ReferenceEquals(batch.Target, target))
            {
                return batch;
            }
        }

        foreach (var batch in _batches)
        {
            if (batch.Target is null)
            {
                batch.Target = target;
                return batch;
            }
        }

        var added = new PacketBatch { Target = target };
        _batches.Add(added);
        return added;
    }

    /// <summary>Hands every gathered batch to its destination's queue. Called when a read buffer is used up and when the read loop ends.</summary>
    private void FlushBatches()
    {
        foreach (var batch in _batches)
        {
            if (batch.Target is { } target && batch.Buffer is not null)
            {
                target.EnqueueBatch(batch);
            }

            batch.Reset();
            batch.Target = null;
        }

        // A sender that once fanned out to many destinations does not keep as many empty entries for ever.
        if (_batches.Count > 16)
        {
            _batches.Clear();
        }
    }

    /// <summary>Counts one packet against this connection's queue limit, or drops and counts it.</summary>
    private bool TryReservePacket()
    {
        if (Interlocked.Increment(ref _queuedPackets) > _queueLimit)
        {
            _ = Interlocked.Decrement(ref _queuedPackets);
            _ = Interlocked.Increment(ref _server.Metrics.PacketsDroppedQueueFullValue);
            return false;
        }

        return true;
    }

    /// <summary>Queues a gathered batch whose packets were reserved; when this connection is closing they are dropped and counted as gone.</summary>
    private void EnqueueBatch(PacketBatch batch)
    {
        if (!_queue.Writer.TryWrite(new QueuedFrame(batch.Buffer!, batch.Length, batch.Packets)))
        {
            _ = Interlocked.Add(ref _queuedPackets, -batch.Packets);
            _ = Interlocked.Add(ref _server.Metrics.PacketsDroppedGoneValue, batch.Packets);
            _server.Buffers.Return(batch.Buffer!);
        }
    }

    private sealed class PacketBatch
    {
        public DerpConnection? Target { get; set; }

        public byte[]? Buffer { get; set; }

        public int Length { get; set; }

        public int Packets { get; set; }

        /// <summary>Forgets the buffer (now owned by the queue, or returned) but keeps the target.</summary>
        public void Reset()
        {
            Buffer = null;
            Length = 0;
            Packets = 0;
        }
    }
}
