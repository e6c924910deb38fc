namespace Appliance.Protocol.Noise;

/// <summary>
/// The outcome of a finished handshake, for one side: the cipher it sends with, the one it receives with,
/// the final handshake hash, and the protocol version. The responder sends with k2 and receives with k1; the
/// initiator the other way round (handshake.go Server / continueClientHandshake).
/// </summary>
public sealed class NoiseSessionKeys : IDisposable
{
    internal NoiseSessionKeys(NoiseCipherState send, NoiseCipherState receive, byte[] handshakeHash, ushort version)
    {
        Send = send;
        Receive = receive;
        HandshakeHash = handshakeHash;
        Version = version;
    }

    public NoiseCipherState Send { get; }

    public NoiseCipherState Receive { get; }

    /// <summary>The final h, for debugging and channel binding.</summary>
    public ReadOnlyMemory<byte> HandshakeHash { get; }

    public ushort Version { get; }

    public void Dispose()
    {
        Send.Dispose();
        Receive.Dispose();
    }
}
