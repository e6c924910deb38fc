using System.Buffers;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Relay;

/// <summary>Enqueue side: called from other connections' read loops, the heartbeat and shutdown, on any thread.</summary>
internal sealed partial class DerpConnection
{
    /// <summary>Pongs, PeerGone, KeepAlive and Health waiting at once; more are dropped (derper drops pings that come too fast).</summary>
    private const int MaxQueuedControl = 64;
    private int _queuedPackets;
    private int _queuedControl;

    /// <summary>
    /// Encodes RecvPacket(source, packet) and queues it alone, or drops and counts it when the queue is full (packets
    /// forwarded by a mesh peer; a local sender's packets are gathered per read buffer instead, .Batch).
    /// </summary>
    public bool TryEnqueuePacket(NodePublic source, in ReadOnlySequence<byte> packet)
    {
        if (!TryReservePacket())
        {
            return false;
        }

        var packetLength = (int)packet.Length;
        var frameLength = DerpConstants.FrameHeaderLength + DerpConstants.KeyLength + packetLength;
        var buffer = _server.Buffers.Rent(frameLength);
        _ = DerpFrameWriter.TryWriteHeader(buffer, DerpFrameType.RecvPacket, DerpConstants.KeyLength + packetLength);
        source.CopyTo(buffer.AsSpan(DerpConstants.FrameHeaderLength));
        packet.CopyTo(buffer.AsSpan(DerpConstants.FrameHeaderLength + DerpConstants.KeyLength));
        if (!_queue.Writer.TryWrite(new QueuedFrame(buffer, frameLength, Packets: 1)))
        {
            _ = Interlocked.Decrement(ref _queuedPackets);
            _server.Buffers.Return(buffer);
            _ = Interlocked.Increment(ref _server.Metrics.PacketsDroppedGoneValue);
            return false;
        }

        return true;
    }

    public bool TryEnqueuePeerGone(NodePublic peer, DerpPeerGoneReason reason)
    {
        Span<byte> payload = stackalloc byte[DerpConstants.KeyLength + 1];
        peer.CopyTo(payload);
        payload[DerpConstants.KeyLength] = (byte)reason;
        return TryEnqueueControl(DerpFrameType.PeerGone, payload, force: false);
    }

    /// <summary>
    /// PeerPresent/PeerGone to a mesh watcher: never dropped by the control limit (one per client of this server, and
    /// a lost one would leave the peer with a wrong table), so bounded by the number of clients instead.
    /// </summary>
    public bool TryEnqueueMeshControl(DerpFrameType type, ReadOnlySpan<byte> payload) => TryEnqueueControl(type, payload, force: true);

    public bool TryEnqueuePong(ReadOnlySpan<byte> data) => TryEnqueueControl(DerpFrameType.Pong, data, force: false);

    public bool TryEnqueueKeepAlive() => TryEnqueueControl(DerpFrameType.KeepAlive, default, force: false);

    public bool TryEnqueueHealth(ReadOnlySpan<byte> problemUtf8) => TryEnqueueControl(DerpFrameType.Health, problemUtf8, force: true);

    private void EnqueueRestarting(TimeSpan reconnectIn, TimeSpan tryFor)
    {
        Span<byte> frame = stackalloc byte[DerpConstants.FrameHeaderLength + 8];
        _ = DerpFrameWriter.TryWriteRestarting(frame, reconnectIn, tryFor, out _);
        _ = TryEnqueueControl(DerpFrameType.Restarting, frame[DerpConstants.FrameHeaderLength..], force: true);
    }

    private bool TryEnqueueControl(DerpFrameType type, ReadOnlySpan<byte> payload, bool force)
    {
        if (Interlocked.Increment(ref _queuedControl) > MaxQueuedControl && !force)
        {
            _ = Interlocked.Decrement(ref _queuedControl);
            _ = Interlocked.Increment(ref _server.Metrics.ControlFramesDroppedValue);
            return false;
        }

        var frameLength = DerpConstants.FrameHeaderLength + payload.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(frameLength);
        _ = DerpFrameWriter.TryWriteFrame(buffer, type, payload, out _);
        if (!_queue.Writer.TryWrite(new QueuedFrame(buffer, frameLength, Packets: 0)))
        {
            _ = Interlocked.Decrement(ref _queuedControl);
            ArrayPool<byte>.Shared.Return(buffer);
            return false;
        }

        return true;
    }

    private void Release(in QueuedFrame frame)
    {
        _server.Buffers.Return(frame.Buffer);
        if (frame.Packets > 0)
        {
            _ = Interlocked.Add(ref _queuedPackets, -frame.Packets);
        }
        else
        {
            _ = Interlocked.Decrement(ref _queuedControl);
        }
    }
}
