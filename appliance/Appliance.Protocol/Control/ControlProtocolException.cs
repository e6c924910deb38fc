namespace Appliance.Protocol.Control;

/// <summary>
/// Untrusted control bytes broke the protocol (bad JSON, a bad key, an oversize or corrupt map frame).
/// Consequence: the request gets 400 with this message (it is safe to show: it never quotes secrets), and nothing
/// is changed; callers log it at Debug because the client caused it.
/// </summary>
public sealed class ControlProtocolException : Exception
{
    public ControlProtocolException()
    {
    }

    public ControlProtocolException(string message)
        : base(message)
    {
    }

    public ControlProtocolException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
