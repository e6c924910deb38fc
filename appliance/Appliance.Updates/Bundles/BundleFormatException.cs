namespace Appliance.Updates.Bundles;

/// <summary>Thrown by <see cref="BundleReader"/> on malformed bytes; carries the reason an importer reports.</summary>
public sealed class BundleFormatException : Exception
{
    public BundleFormatException(BundleError error, string message)
        : base(message) => Error = error;

    public BundleFormatException()
    {
    }

    public BundleFormatException(string message)
        : base(message)
    {
    }

    public BundleFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BundleError Error { get; } = BundleError.NotABundle;
}
