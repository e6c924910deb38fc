using Appliance.Hosting.AdminConsole.Audit;

namespace Appliance.Hosting.Audit;

/// <summary>
/// The console's audit hook when the host keeps an audit log: every console change, done or refused, becomes one
/// audit record with the person's login as actor (the console authenticated them), and the journal line of
/// <see cref="LoggingConsoleAuditHook"/> (events 7001/7002) is still written. The admin API under a console request
/// does not record the same change a second time (<see cref="AuditActor.InConsoleRequest"/>), so one console action
/// is one line, with the role and address the API layer does not know.
/// </summary>
public sealed class AuditLogConsoleHook(LoggingConsoleAuditHook journal, AuditTrail audit) : IConsoleAuditHook
{
    public void Record(ConsoleAuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        journal.Record(entry);
        audit.Record(entry.Person, entry.Action, $"{entry.Target} (console, {entry.Role}, from {entry.Address})",
            entry.Succeeded ? "ok" : "refused: " + entry.Outcome);
    }
}
