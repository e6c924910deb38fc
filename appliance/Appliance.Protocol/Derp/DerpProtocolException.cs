namespace Appliance.Protocol.Derp;

/// <summary>
/// The peer broke the DERP protocol (oversized frame, malformed payload, box that does not open). The consequence is
/// always the same: close this connection, count it, and log at Debug, because the peer caused it.
/// </summary>
public sealed class DerpProtocolException : Exception
{
    public DerpProtocolException()
    {
    }

    public DerpProtocolException(string message)
        : base(message)
    {
    }

    public DerpProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
