namespace Appliance.Storage.Audit;

/// <summary>
/// Where administrative actions are recorded. One sink per data folder (<see cref="AuditLogWriter"/>); callers
/// name who did what to which target and how it ended, the sink adds time, sequence number and the chain hash.
/// </summary>
public interface IAuditSink
{
    /// <summary>Appends the entry durably (fsynced) and returns the written record.</summary>
    /// <exception cref="IOException">The log could not be written; nothing partial is left behind that verify would accept.</exception>
    AuditRecord Append(AuditEntry entry);
}

/// <summary>One administrative action. <paramref name="Actor"/>: the person, "local:USER" over admin.sock or the CLI, or "system".</summary>
public sealed record AuditEntry(string Actor, string Action, string Target, string Result);
