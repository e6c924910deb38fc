using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Cluster;

/// <summary>Settings agreement between appliances on one database (docs/ops/ha.md): event ids 5011–5019.</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(EventId = 5011, EventName = "ClusterSettingsDisagree", Level = LogLevel.Error,
        Message = "settings differ between the appliances on this database: {Differences}; give every instance the same values (docs/ops/ha.md)")]
    public static partial void SettingsDisagree(ILogger logger, string differences);

    [LoggerMessage(EventId = 5012, EventName = "ClusterSettingsAgree", Level = LogLevel.Information,
        Message = "the appliances on this database agree on their settings again")]
    public static partial void SettingsAgree(ILogger logger);

    [LoggerMessage(EventId = 5013, EventName = "ClusterSettingsCheckFailed", Level = LogLevel.Warning,
        Message = "could not compare settings with the other appliances ({Reason}); retrying")]
    public static partial void SettingsCheckFailed(ILogger logger, string reason);
}
