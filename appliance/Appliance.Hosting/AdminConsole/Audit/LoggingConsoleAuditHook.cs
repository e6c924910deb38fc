using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.AdminConsole.Audit;

/// <summary>
/// The audit hook until the audit log exists: one log event per console action (7001 done, 7002 not done), and the
/// last <see cref="RecentCapacity"/> entries in memory (<see cref="Recent"/>; lost at restart, so not an audit log).
/// </summary>
public sealed partial class LoggingConsoleAuditHook(ILogger<LoggingConsoleAuditHook> logger) : IConsoleAuditHook
{
    public const int RecentCapacity = 200;
    private readonly System.Collections.Concurrent.ConcurrentQueue<ConsoleAuditEntry> _recent = new();

    /// <summary>The latest entries, oldest first.</summary>
    public IReadOnlyList<ConsoleAuditEntry> Recent => [.. _recent];

    public void Record(ConsoleAuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _recent.Enqueue(entry);
        while (_recent.Count > RecentCapacity && _recent.TryDequeue(out _))
        {
        }

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
