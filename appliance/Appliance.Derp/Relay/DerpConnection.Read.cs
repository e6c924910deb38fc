using System.Buffers;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Relay;

/// <summary>The read loop: frames from the client after the handshake (derpserver.go sclient.run).</summary>
internal sealed partial class DerpConnection
{
    // PeerGone(NotHere) answers are rate-limited per connection: 1/s, burst 3 (derpserver.go, peerGoneLim).
    private const double NotHereBurst = 3;
    private double _notHereTokens = NotHereBurst;
    private long _notHereRefilled;
    private DerpConnection? _lastDestination;
    private readonly HashSet<DerpConnection> _destinations = [];

    public async Task<DerpCloseReason> ReadLoopAsync()
    {
        var input = _pipe.Input;
        var token = _abort.Token;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(token).ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    while (DerpFrameReader.TryReadFrame(ref buffer, out var frame))
                    {
                        _unparsedBytes = buffer.Length;
                        if (HandleFrame(frame) is { } reason)
                        {
                            return reason;
                        }
                    }

                    // The read buffer is used up: every destination gets what it was sent, in one queue write each.
                    FlushBatches();

                    if (result.IsCompleted || result.IsCanceled)
                    {
                        return CloseReason ?? DerpCloseReason.ClientClosed;
                    }
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (DerpProtocolException)
        {
            return DerpCloseReason.ProtocolError;
        }
        catch (OperationCanceledException)
        {
            return CloseReason ?? DerpCloseReason.Aborted;
        }
        catch (Exception exception) when (TransportFailure.Is(exception))
        {
            return CloseReason ?? DerpCloseReason.ClientClosed;
        }
        finally
        {
            // Packets read before the connection ended (or broke the protocol) are still delivered, as they were when
            // each was queued on its own.
            FlushBatches();
        }
    }

    /// <summary>Handles one frame; a non-null result closes the connection.</summary>
    private DerpCloseReason? HandleFrame(in DerpFrame frame)
    {
        switch (frame.Type)
        {
            case DerpFrameType.SendPacket:
                return HandleSendPacket(frame.Payload);
            case DerpFrameType.NotePreferred:
                if (frame.Length != 1)
                {
                    return DerpCloseReason.ProtocolError;
                }

                Preferred = frame.Payload.FirstSpan[0] != 0;
                return null;
            case DerpFrameType.Ping:
                if (frame.Length is < DerpConstants.PingLength or > DerpConstants.MaxPingLength)
                {
                    return DerpCloseReason.ProtocolError;
                }

                Span<byte> data = stackalloc byte[DerpConstants.PingLength];
                frame.Payload.Slice(0, DerpConstants.PingLength).CopyTo(data);
                _ = TryEnqueuePong(data);
                return null;
            case DerpFrameType.ForwardPacket:
            case DerpFrameType.WatchConns:
            case DerpFrameType.ClosePeer:
                // Mesh frames need the mesh key (derpserver.go: "insufficient permissions"): a node sending one is cut off.
                return CanMesh ? HandleMeshFrame(frame) : DerpCloseReason.ProtocolError;
            default:
                // Pong, KeepAlive and unknown types are skipped, as both Go sides do.
                return null;
        }
    }

    private DerpCloseReason? HandleSendPacket(in ReadOnlySequence<byte> payload)
    {
        if (payload.Length < DerpConstants.KeyLength || payload.Length - DerpConstants.KeyLength > DerpConstants.MaxPacketSize)
        {
            return DerpCloseReason.ProtocolError;
        }

        Span<byte> keyBytes = stackalloc byte[DerpConstants.KeyLength];
        payload.Slice(0, DerpConstants.KeyLength).CopyTo(keyBytes);
        var destination = NodePublic.FromRaw(keyBytes);
        var packet = payload.Slice(DerpConstants.KeyLength);

        if (!_isActive)
        {
            // Duplicate connections: the last one to send is the one that receives (derpserver.go dupClientSet).
            _server.MakeActive(this);
        }

        if (_server.TryGetActive(destination, out var target))
        {
            if (TryGather(target, Key, packet) && !ReferenceEquals(target, _lastDestination))
            {
                _lastDestination = target;
                if (_destinations.Add(target))
                {
                    target.NoteSender(Key);
                }
            }

            return null;
        }

        if (_server.TryForwardElsewhere(Key, destination, packet))
        {
            return null;
        }

        _ = Interlocked.Increment(ref _server.Metrics.PacketsDroppedUnknownDestinationValue);
        if (LooksLikeDisco(packet) && TakeNotHereToken())
        {
            _ = TryEnqueuePeerGone(destination, DerpPeerGoneReason.NotHere);
        }

        return null;
    }

    private static bool LooksLikeDisco(in ReadOnlySequence<byte> packet)
    {
        const int Needed = 6 + DerpConstants.KeyLength + DerpConstants.NonceLength;
        if (packet.Length < Needed)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[Needed];
        packet.Slice(0, Needed).CopyTo(head);
        return DerpConstants.LooksLikeDisco(head);
    }

    private bool TakeNotHereToken()
    {
        var time = _server.TimeProvider;
        var now = time.GetTimestamp();
        _notHereTokens = Math.Min(NotHereBurst, _notHereTokens + time.GetElapsedTime(_notHereRefilled, now).TotalSeconds);
        _notHereRefilled = now;
        if (_notHereTokens < 1)
        {
            return false;
        }

        _notHereTokens -= 1;
        return true;
    }
}
