using Appliance.Storage.Audit;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Audit;

/// <summary>
/// The one place administrative actions are recorded: the hash-chained file in <c>&lt;data&gt;/audit</c> (the
/// evidence) and a journal line with the action's 6xxx event id. Recording never throws: the action it describes
/// has already happened, so a failed write is logged at Critical (event 6011) and counted, not turned into a failed verb.
/// </summary>
public sealed class AuditTrail
{
    private readonly IAuditSink _sink;
    private readonly ILogger? _logger;
    private long _failures;

    public AuditTrail(IAuditSink sink, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _sink = sink;
        _logger = logger;
        if (sink is AuditLogWriter writer && logger is not null)
        {
            writer.Rotated += anchor => AuditEvents.AuditFileRotated(logger, anchor.FileName, anchor.LastSeq, anchor.LastHash);
        }
    }

    /// <summary>Writes that failed since start.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Opens the data folder's audit log. Without a database the writer never rotates (see <see cref="AuditLogWriter"/>).</summary>
    public static AuditTrail ForDataDirectory(string dataDirectory, TimeProvider time, AuditAnchorStore? anchors, long maxFileBytes, ILogger? logger) =>
        new(new AuditLogWriter(AuditLogFiles.FolderOf(dataDirectory), time, anchors, maxFileBytes), logger);

    public AuditRecord? Record(string actor, string action, string target, string result)
    {
        try
        {
            var record = _sink.Append(new AuditEntry(actor, action, target, result));
            var level = result.StartsWith("ok", StringComparison.Ordinal) ? LogLevel.Information : LogLevel.Warning;
            if (_logger is not null && _logger.IsEnabled(level))
            {
#pragma warning disable CA1848, CA2254 // one template for every action; the event id carries the kind
                _logger.Log(level, new EventId(AuditEvents.IdFor(action), action),
                    "audit {Seq} {Actor} {Action} {Target}: {Result}", record.Seq, record.Actor, record.Action, record.Target, record.Result);
#pragma warning restore CA1848, CA2254
            }

            return record;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref _failures);
            if (_logger is not null)
            {
                AuditEvents.AuditWriteFailed(_logger, e, actor, action, target, result);
            }

            return null;
        }
    }
}
