using Microsoft.Extensions.Logging;

namespace Appliance.State;

/// <summary>Route failover events (11xx; docs/routes.md).</summary>
public static partial class StateEvents
{
    public const int PrimaryRouteMovedId = 1101;

    [LoggerMessage(EventId = PrimaryRouteMovedId, EventName = "PrimaryRouteMoved", Level = LogLevel.Warning,
        Message = "primary router for {Prefix} moved from node {From} to node {To}")]
    public static partial void PrimaryRouteMoved(ILogger logger, string prefix, long from, long to);
}
