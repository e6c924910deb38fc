namespace Appliance.TestKit.Noise;

/// <summary>The server did not switch to the control protocol, or refused the handshake with a Noise error frame.</summary>
public sealed class NoiseUpgradeException : Exception
{
    public NoiseUpgradeException()
    {
    }

    public NoiseUpgradeException(string message)
        : base(message)
    {
    }

    public NoiseUpgradeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status the server answered with (101 when the refusal came as a Noise error frame).</summary>
    public int StatusCode { get; init; }

    /// <summary>The text of the Noise error frame, if the server sent one.</summary>
    public string? ServerError { get; init; }
}
