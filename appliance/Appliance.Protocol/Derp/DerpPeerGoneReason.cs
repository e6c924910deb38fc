namespace Appliance.Protocol.Derp;

/// <summary>Reason byte of a PeerGone frame (tailscale derp/derp.go, PeerGoneReasonType).</summary>
public enum DerpPeerGoneReason : byte
{
    /// <summary>The peer was connected here and disconnected.</summary>
    Disconnected = 0x00,

    /// <summary>A disco packet was sent to a key that is not connected here.</summary>
    NotHere = 0x01,
}
