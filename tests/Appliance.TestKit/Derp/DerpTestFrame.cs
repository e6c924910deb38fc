using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;

namespace Appliance.TestKit.Derp;

/// <summary>A frame received by <see cref="DerpTestClient"/>: type, the key it carries (source, gone peer) and the rest of the payload.</summary>
public sealed record DerpTestFrame(DerpFrameType Type, NodePublic Key, byte[] Data)
{
    /// <summary>For PeerGone: the reason byte.</summary>
    public DerpPeerGoneReason PeerGoneReason => Type == DerpFrameType.PeerGone && Data.Length > 0 ? (DerpPeerGoneReason)Data[0] : DerpPeerGoneReason.Disconnected;
}
