namespace Appliance.Hosting.Logging;

/// <summary>
/// systemd sets INVOCATION_ID for every service it starts and JOURNAL_STREAM when stdout/stderr go to the journal.
/// journald stamps each line itself, so console lines then carry no timestamp and no colour.
/// </summary>
public static class JournalDetection
{
    public static bool IsCapturedByJournal(Func<string, string?> getEnvironment)
    {
        ArgumentNullException.ThrowIfNull(getEnvironment);
        return !string.IsNullOrEmpty(getEnvironment("INVOCATION_ID")) || !string.IsNullOrEmpty(getEnvironment("JOURNAL_STREAM"));
    }
}
