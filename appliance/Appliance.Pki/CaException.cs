namespace Appliance.Pki;

/// <summary>
/// A violation of the local CA's invariants: a key file that is missing, corrupt or readable by others, a name
/// the intermediate may not sign, an attempt to initialise twice. These stop the operation loudly; the CA never
/// "repairs" itself by generating new keys, because a new root silently breaks every client's trust.
/// </summary>
public sealed class CaException : Exception
{
    public CaException(CaErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    public CaException(CaErrorKind kind, string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public CaException()
    {
    }

    public CaException(string message)
        : base(message)
    {
    }

    public CaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CaErrorKind Kind { get; }
}
