namespace Appliance.Protocol.Noise;

/// <summary>
/// The peer violated the ts2021 framing or the Noise handshake (bad type, oversized record, failed decryption).
/// The connection is dead after this: there is no resynchronisation in the protocol.
/// </summary>
public sealed class NoiseProtocolException : Exception
{
    public NoiseProtocolException()
    {
    }

    public NoiseProtocolException(string message)
        : base(message)
    {
    }

    public NoiseProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
