namespace Appliance.Protocol.Derp;

/// <summary>
/// DERP frame types (tailscale derp/derp.go, the frameType constants). Every frame is
/// <c>u8 type · u32 BE length · payload</c>. Unknown types are skipped by both sides, so adding a type is compatible.
/// </summary>
public enum DerpFrameType : byte
{
    /// <summary>S→C. 8 B magic "DERP🔑" + 32 B server public key (+ future bytes).</summary>
    ServerKey = 0x01,

    /// <summary>C→S. 32 B client node public key + 24 B nonce + NaCl box(ClientInfo JSON).</summary>
    ClientInfo = 0x02,

    /// <summary>S→C. 24 B nonce + NaCl box(ServerInfo JSON).</summary>
    ServerInfo = 0x03,

    /// <summary>C→S. 32 B destination node key + packet (≤ 64 KiB).</summary>
    SendPacket = 0x04,

    /// <summary>S→C. 32 B source node key + packet (protocol v2 layout).</summary>
    RecvPacket = 0x05,

    /// <summary>S→C. Empty; keeps NAT state and the client's 120 s read deadline alive.</summary>
    KeepAlive = 0x06,

    /// <summary>C→S. 1 B: 0x01 = this is my home region, 0x00 = not.</summary>
    NotePreferred = 0x07,

    /// <summary>S→C. 32 B peer key + 1 B <see cref="DerpPeerGoneReason"/>.</summary>
    PeerGone = 0x08,

    /// <summary>S→C (mesh watchers). 32 B key + 16 B IP + u16 BE port + 1 B flags.</summary>
    PeerPresent = 0x09,

    /// <summary>Mesh→S. 32 B source + 32 B destination + packet. Not accepted by this single-node relay.</summary>
    ForwardPacket = 0x0a,

    /// <summary>Mesh C→S. Empty; requires the mesh key.</summary>
    WatchConns = 0x10,

    /// <summary>Mesh C→S. 32 B key; requires the mesh key.</summary>
    ClosePeer = 0x11,

    /// <summary>Both ways. 8 B of data (the server accepts 8–1000 B and echoes the first 8).</summary>
    Ping = 0x12,

    /// <summary>Both ways. The 8 B from the ping.</summary>
    Pong = 0x13,

    /// <summary>S→C. UTF-8 problem text; empty means healthy.</summary>
    Health = 0x14,

    /// <summary>S→C. u32 BE reconnect-in ms + u32 BE try-for ms.</summary>
    Restarting = 0x15,
}
