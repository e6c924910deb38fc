namespace Appliance.Hosting.Identity;

/// <summary>An identity file that cannot be used, with the line and column of the first problem.</summary>
public sealed class IdentityFileException : FormatException
{
    public IdentityFileException()
    {
    }

    public IdentityFileException(string message)
        : base(message)
    {
    }

    public IdentityFileException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public IdentityFileException(int line, int column, string reason)
        : base($"{line}:{column}: {reason}")
    {
        Line = line;
        Column = column;
        Reason = reason;
    }

    public int Line { get; }

    public int Column { get; }

    public string Reason { get; } = "";
}
