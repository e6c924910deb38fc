namespace Appliance.Policy.HuJson;

/// <summary>Malformed HuJSON; the message already carries "line:column: reason".</summary>
public sealed class HuJsonException : FormatException
{
    public HuJsonException()
    {
    }

    public HuJsonException(string message)
        : base(message)
    {
    }

    public HuJsonException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public HuJsonException(HuJsonPosition position, string reason)
        : base($"{position}: {reason}")
    {
        Position = position;
        Reason = reason;
    }

    public HuJsonPosition Position { get; }

    public string Reason { get; } = "";
}
