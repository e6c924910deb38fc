using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Console.Audit;

/// <summary>The audit hook until the audit log exists: one log event per console action (7001 done, 7002 not done).</summary>
public sealed partial class LoggingConsoleAuditHook(ILogger<LoggingConsoleAuditHook> logger) : IConsoleAuditHook
{
    public void Record(ConsoleAuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Succeeded)
        {
            LogDone(logger, entry.Person, entry.Role, entry.Action, entry.Target, entry.Address);
        }
        else
        {
            LogNotDone(logger, entry.Person, entry.Role, entry.Action, entry.Target, entry.Outcome, entry.Address);
        }
    }

    [LoggerMessage(EventId = ConsoleEvents.ActionDoneId, EventName = "ConsoleActionDone", Level = LogLevel.Information,
        Message = "Console: {Person} ({Role}) did {Action} on {Target} from {Address}")]
    private static partial void LogDone(ILogger logger, string person, string role, string action, string target, string address);

    [LoggerMessage(EventId = ConsoleEvents.ActionNotDoneId, EventName = "ConsoleActionNotDone", Level = LogLevel.Warning,
        Message = "Console: {Person} ({Role}) was refused {Action} on {Target} from {Address}: {Outcome}")]
    private static partial void LogNotDone(ILogger logger, string person, string role, string action, string target, string outcome, string address);
}
