namespace Appliance.Hosting.Backup;

/// <summary>
/// What the schedule last achieved, for the metrics and the alert rules: when a backup and a restore drill last
/// succeeded and whether the latest attempt of each failed. Seeded at start from the archives already on disk.
/// </summary>
public sealed class BackupStatus
{
    private readonly Lock _gate = new();

    public DateTimeOffset? LastBackupSuccess { get; private set; }

    public DateTimeOffset? LastVerifySuccess { get; private set; }

    public bool LastBackupFailed { get; private set; }

    public bool LastVerifyFailed { get; private set; }

    public void BackupSucceeded(DateTimeOffset at)
    {
        lock (_gate)
        {
            LastBackupSuccess = LastBackupSuccess is { } previous && previous > at ? previous : at;
            LastBackupFailed = false;
        }
    }

    public void BackupFailed()
    {
        lock (_gate)
        {
            LastBackupFailed = true;
        }
    }

    public void VerifySucceeded(DateTimeOffset at)
    {
        lock (_gate)
        {
            LastVerifySuccess = at;
            LastVerifyFailed = false;
        }
    }

    public void VerifyFailed()
    {
        lock (_gate)
        {
            LastVerifyFailed = true;
        }
    }
}
