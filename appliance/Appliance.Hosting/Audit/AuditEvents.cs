using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Audit;

/// <summary>
/// The journal's copy of each audit record (6xxx). The file is the evidence; these lines let journald and a log
/// shipper see the same actions. Ids are stable once released.
/// </summary>
public static partial class AuditEvents
{
    public const string Category = "Appliance.Audit";

    public const int AdminActionId = 6001;
    public const int LoginSucceededId = 6002;
    public const int LoginRefusedId = 6003;
    public const int ReloadId = 6004;
    public const int BackupId = 6005;
    public const int UpdateId = 6006;
    public const int CertificateAuthorityId = 6007;
    public const int AuditFileRotatedId = 6010;
    public const int AuditWriteFailedId = 6011;

    /// <summary>The event id for an action, by its prefix.</summary>
    public static int IdFor(string action) => action switch
    {
        "login.ok" => LoginSucceededId,
        _ when action.StartsWith("login.", StringComparison.Ordinal) => LoginRefusedId,
        _ when action.StartsWith("policy.reload", StringComparison.Ordinal) || action.StartsWith("identity.reload", StringComparison.Ordinal) => ReloadId,
        _ when action.StartsWith("backup.", StringComparison.Ordinal) => BackupId,
        _ when action.StartsWith("update.", StringComparison.Ordinal) => UpdateId,
        _ when action.StartsWith("ca.", StringComparison.Ordinal) => CertificateAuthorityId,
        _ => AdminActionId,
    };

    [LoggerMessage(EventId = AuditFileRotatedId, EventName = "AuditFileRotated", Level = LogLevel.Information,
        Message = "audit file {File} closed at sequence {LastSeq} (hash {LastHash}) and anchored in the database")]
    public static partial void AuditFileRotated(ILogger logger, string file, long lastSeq, string lastHash);

    [LoggerMessage(EventId = AuditWriteFailedId, EventName = "AuditWriteFailed", Level = LogLevel.Critical,
        Message = "could not write the audit record for {Actor} {Action} {Target} ({Result})")]
    public static partial void AuditWriteFailed(ILogger logger, Exception exception, string actor, string action, string target, string result);
}
