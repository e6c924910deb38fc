using Microsoft.Extensions.Logging;

namespace Appliance.Cli;

/// <summary>Events of `update recover`'s checks before root trusts the updater's record (8031..8037, and 8041/8042 for the
/// trust root's move out of the data folder: the sec block of StateEvents' id ranges).</summary>
internal static partial class UpdateRecoverLog
{
    [LoggerMessage(EventId = 8031, Level = LogLevel.Warning, Message = "{Path}: {Detail}")]
    public static partial void CurrentRepointed(ILogger logger, string path, string detail);

    [LoggerMessage(EventId = 8032, Level = LogLevel.Error, Message = "The update record is not trusted: {Detail}")]
    public static partial void StateUntrusted(ILogger logger, string detail);

    [LoggerMessage(EventId = 8033, Level = LogLevel.Error, Message = "{Path}: {Detail}")]
    public static partial void KnownGoodUnavailable(ILogger logger, string path, string detail);

    [LoggerMessage(EventId = 8034, Level = LogLevel.Error, Message = "{Detail}; removed (the link itself, never what it names) and made again")]
    public static partial void LockReplaced(ILogger logger, string detail);

    [LoggerMessage(EventId = 8035, Level = LogLevel.Warning, Message = "{Path}: {Detail}")]
    public static partial void RootCopyKept(ILogger logger, string path, string detail);

    [LoggerMessage(EventId = 8036, Level = LogLevel.Warning, Message = "{Path} was written again from this release: root now runs {Runs} (systemctl daemon-reload: {Reload})")]
    public static partial void UnitRefreshed(ILogger logger, string path, string runs, string reload);

    [LoggerMessage(EventId = 8037, Level = LogLevel.Error, Message = "update.lock refused: {Detail}")]
    public static partial void LockRefused(ILogger logger, string detail);

    [LoggerMessage(EventId = 8041, Level = LogLevel.Warning, Message = "{Path}: {Detail}")]
    public static partial void RootMetadataMoved(ILogger logger, string path, string detail);

    [LoggerMessage(EventId = 8042, Level = LogLevel.Error, Message = "{Path}: {Detail}")]
    public static partial void RootMetadataNotMoved(ILogger logger, string path, string detail);

    /// <summary>Logs one finding of <see cref="Updates.Apply.Updater.RecoverAsync(bool, Updates.Apply.RecoverChecks?, CancellationToken)"/> under its event.</summary>
    public static void Finding(ILogger logger, Updates.Apply.RecoverFinding finding)
    {
        switch (finding.Kind)
        {
            case Updates.Apply.RecoverFindingKind.CurrentRepointed:
                CurrentRepointed(logger, finding.Path, finding.Detail);
                break;
            case Updates.Apply.RecoverFindingKind.StateUntrusted:
                StateUntrusted(logger, finding.Detail);
                break;
            case Updates.Apply.RecoverFindingKind.KnownGoodUnavailable:
                KnownGoodUnavailable(logger, finding.Path, finding.Detail);
                break;
            case Updates.Apply.RecoverFindingKind.LockReplaced:
                LockReplaced(logger, finding.Detail);
                break;
            case Updates.Apply.RecoverFindingKind.RootMetadataMoved:
                RootMetadataMoved(logger, finding.Path, finding.Detail);
                break;
            case Updates.Apply.RecoverFindingKind.RootMetadataNotMoved:
                RootMetadataNotMoved(logger, finding.Path, finding.Detail);
                break;
        }
    }
}
