using System.Buffers;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Relay;

/// <summary>Frames only a mesh peer may send (derpserver.go handleFrameWatchConns/ForwardPacket/ClosePeer), length-checked like any other.</summary>
internal sealed partial class DerpConnection
{
    private DerpCloseReason? HandleMeshFrame(in DerpFrame frame)
    {
        switch (frame.Type)
        {
            case DerpFrameType.WatchConns:
                if (frame.Length != 0)
                {
                    return DerpCloseReason.ProtocolError;
                }

                _server.AddWatcher(this);
                return null;
            case DerpFrameType.ClosePeer:
                if (frame.Length != DerpConstants.KeyLength)
                {
                    return DerpCloseReason.ProtocolError;
                }

                Span<byte> key = stackalloc byte[DerpConstants.KeyLength];
                frame.Payload.CopyTo(key);
                _ = _server.Disconnect(NodePublic.FromRaw(key));
                return null;
            case DerpFrameType.ForwardPacket:
                // src key (32) · dst key (32) · packet (≤ 64 KiB) (derp.go frameForwardPacket).
                if (frame.Length < 2 * DerpConstants.KeyLength || frame.Length - (2 * DerpConstants.KeyLength) > DerpConstants.MaxPacketSize)
                {
                    return DerpCloseReason.ProtocolError;
                }

                Span<byte> keys = stackalloc byte[2 * DerpConstants.KeyLength];
                frame.Payload.Slice(0, keys.Length).CopyTo(keys);
                _server.DeliverForwarded(
                    NodePublic.FromRaw(keys[..DerpConstants.KeyLength]),
                    NodePublic.FromRaw(keys[DerpConstants.KeyLength..]),
                    frame.Payload.Slice(keys.Length));
                return null;
            default:
                return null;
        }
    }
}
