using Microsoft.Extensions.Logging;

namespace Appliance.State;

/// <summary>Events of the crash detection between appliances on one database (issue 17, docs/ops/ha.md): ids 5031..5039.</summary>
public static partial class StateEvents
{
    public const int ClusterInstanceCrashedId = 5031;
    public const int ClusterLivenessLostId = 5032;
    public const int ClusterLivenessKeyTakenId = 5033;
    public const int ClusterPresenceRepublishedId = 5034;

    [LoggerMessage(EventId = ClusterInstanceCrashedId, EventName = "ClusterInstanceCrashed", Level = LogLevel.Warning,
        Message = "instance {InstanceId} lost its database connection (crashed or cut off): {Count} of its streams counted offline now")]
    public static partial void ClusterInstanceCrashed(ILogger logger, string instanceId, int count);

    [LoggerMessage(EventId = ClusterLivenessLostId, EventName = "ClusterLivenessLost", Level = LogLevel.Warning,
        Message = "lost the connection that holds this instance's liveness lock ({Reason}); retrying. Other instances may count this one crashed meanwhile; its streams are published again when it is back")]
    public static partial void ClusterLivenessLost(ILogger logger, string reason);

    [LoggerMessage(EventId = ClusterLivenessKeyTakenId, EventName = "ClusterLivenessKeyTaken", Level = LogLevel.Warning,
        Message = "this instance's liveness lock (key {Key}) is held by another session; other instances will notice a crash of this one only when its lease runs out")]
    public static partial void ClusterLivenessKeyTaken(ILogger logger, int key);

    [LoggerMessage(EventId = ClusterPresenceRepublishedId, EventName = "ClusterPresenceRepublished", Level = LogLevel.Warning,
        Message = "another instance counted this one as gone and removed its registration; registered again with its {Count} streams")]
    public static partial void ClusterPresenceRepublished(ILogger logger, int count);
}
