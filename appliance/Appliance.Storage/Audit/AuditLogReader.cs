namespace Appliance.Storage.Audit;

/// <summary>
/// Reads records for export and display (the CLI's <c>audit export</c>, the admin console). Lines that do not parse
/// are skipped here; <see cref="AuditVerifier"/> is the place that reports them.
/// </summary>
public static class AuditLogReader
{
    /// <summary>Records with <paramref name="since"/> &lt;= time &lt; <paramref name="until"/>, oldest first, with their exact lines.</summary>
    public static IEnumerable<(AuditRecord Record, string Line)> Read(string folder, DateTimeOffset? since = null, DateTimeOffset? until = null, Func<AuditRecord, bool>? filter = null)
    {
        foreach (var (_, path) in AuditLogFiles.List(folder))
        {
            foreach (var (_, text, terminated) in AuditLogFiles.Lines(path))
            {
                if (!terminated || AuditRecord.TryParse(text, out _) is not { } record)
                {
                    continue;
                }

                if ((since is null || record.Time >= since) && (until is null || record.Time < until) && (filter is null || filter(record)))
                {
                    yield return (record, text);
                }
            }
        }
    }
}
