namespace Appliance.BundleTool.Cli;

/// <summary>An operator-facing failure: printed as "error: MESSAGE" with exit code 1, without a stack trace.</summary>
public sealed class ToolException : Exception
{
    public ToolException()
    {
    }

    public ToolException(string message)
        : base(message)
    {
    }

    public ToolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
