namespace Appliance.Storage.Files;

/// <summary>Why the data folder cannot be used. The message names the folder and what to do.</summary>
public enum DataDirectoryProblem
{
    NotWritable,
    InUse,
}

/// <summary>The data folder cannot be used: not writable, or another appliance process holds it.</summary>
public sealed class DataDirectoryException : Exception
{
    public DataDirectoryException()
    {
    }

    public DataDirectoryException(string message)
        : base(message)
    {
    }

    public DataDirectoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DataDirectoryException(DataDirectoryProblem problem, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Problem = problem;
    }

    public DataDirectoryProblem Problem { get; }
}
