namespace Appliance.Updates.Apply;

/// <summary>
/// The points an apply passes, in order. Tests inject a hook that throws at each one to prove that a process
/// killed there leaves a bootable previous release and that recovery finishes the job.
/// </summary>
public enum ApplyStep
{
    Verified,
    Journaled,
    Staged,
    Switched,
    Restarted,
    HealthChecked,
    Committed,
}
