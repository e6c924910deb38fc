namespace Appliance.Hosting.Backup;

/// <summary>A backup, verify or restore that could not be done; the message says why and what to do. Nothing was overwritten.</summary>
public sealed class BackupException : Exception
{
    public BackupException()
    {
    }

    public BackupException(string message)
        : base(message)
    {
    }

    public BackupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when refused because the appliance is running (its data folder is locked).</summary>
    public bool ApplianceRunning { get; init; }
}
