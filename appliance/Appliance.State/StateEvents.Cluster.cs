using Microsoft.Extensions.Logging;

namespace Appliance.State;

/// <summary>Events of several appliances on one database (issue 17, docs/ops/ha.md): ids 5001..5099.</summary>
public static partial class StateEvents
{
    public const int ClusterChangeAppliedId = 5001;
    public const int ClusterListenerLostId = 5002;
    public const int ClusterListenerRestoredId = 5003;
    public const int ClusterInstancesSweptId = 5004;
    public const int ClusterJoinedId = 5005;

    [LoggerMessage(EventId = ClusterChangeAppliedId, EventName = "ClusterChangeApplied", Level = LogLevel.Debug,
        Message = "change {Seq} from instance {Origin} applied: {Entity} {RowId}")]
    public static partial void ClusterChangeApplied(ILogger logger, long seq, string origin, string entity, long rowId);

    [LoggerMessage(EventId = ClusterListenerLostId, EventName = "ClusterListenerLost", Level = LogLevel.Warning,
        Message = "lost the database's change notifications ({Reason}); retrying, and catching up by sequence when back")]
    public static partial void ClusterListenerLost(ILogger logger, string reason);

    [LoggerMessage(EventId = ClusterListenerRestoredId, EventName = "ClusterListenerRestored", Level = LogLevel.Information,
        Message = "change notifications restored; caught up from sequence {Seq}")]
    public static partial void ClusterListenerRestored(ILogger logger, long seq);

    [LoggerMessage(EventId = ClusterInstancesSweptId, EventName = "ClusterInstancesSwept", Level = LogLevel.Warning,
        Message = "an instance's lease ran out: {Count} of its streams counted offline")]
    public static partial void ClusterInstancesSwept(ILogger logger, int count);

    [LoggerMessage(EventId = ClusterJoinedId, EventName = "ClusterJoined", Level = LogLevel.Information,
        Message = "instance {InstanceId} serves the shared database from change {Seq}")]
    public static partial void ClusterJoined(ILogger logger, string instanceId, long seq);
}
