using Microsoft.Extensions.Logging;

namespace Appliance.State;

/// <summary>
/// Every event State logs, with its id: one source for the operator's log, the audit log and metrics (issue 12).
/// Ids are stable once released: add new ones, never renumber. 1xxx nodes, 2xxx refusals, 3xxx users and keys,
/// 4xxx policy, 9xxx faults in background work.
/// </summary>
public static partial class StateEvents
{
    public const string Category = "Appliance.State";

    public const int NodeRegisteredId = 1001;
    public const int NodeReRegisteredId = 1002;
    public const int NodeExpiredId = 1003;
    public const int NodeDeletedId = 1004;
    public const int NodeRenamedId = 1005;
    public const int NodeTaggedId = 1006;
    public const int RoutesApprovedId = 1007;
    public const int NodeKeyRotatedId = 1008;
    public const int NodeLoggedOutId = 1009;
    public const int EphemeralNodeCollectedId = 1010;
    public const int NodeKeyExpiredByClockId = 1011;

    public const int RegistrationRefusedId = 2001;
    public const int MapRequestRefusedId = 2002;
    public const int CommandRefusedId = 2003;
    public const int StorageWriteFailedId = 2004;

    public const int UserCreatedId = 3001;
    public const int UserRenamedId = 3002;
    public const int UserDeletedId = 3003;
    public const int UserUpdatedId = 3004;
    public const int PreAuthKeyCreatedId = 3011;
    public const int PreAuthKeyExpiredId = 3012;
    public const int PreAuthKeyDeletedId = 3013;

    public const int PolicyAppliedId = 4001;
    public const int PolicyRefusedId = 4002;
    public const int PolicyClearedId = 4003;

    public const int BackgroundWorkFailedId = 9001;

    [LoggerMessage(EventId = NodeRegisteredId, EventName = "NodeRegistered", Level = LogLevel.Information,
        Message = "node {NodeId} ({GivenName}) registered by {Method} for {Owner}")]
    public static partial void NodeRegistered(ILogger logger, long nodeId, string givenName, string method, string owner);

    [LoggerMessage(EventId = NodeReRegisteredId, EventName = "NodeReRegistered", Level = LogLevel.Information,
        Message = "node {NodeId} ({GivenName}) re-registered by {Method} for {Owner}")]
    public static partial void NodeReRegistered(ILogger logger, long nodeId, string givenName, string method, string owner);

    [LoggerMessage(EventId = NodeExpiredId, EventName = "NodeExpired", Level = LogLevel.Information,
        Message = "node {NodeId} ({GivenName}) expired by the operator")]
    public static partial void NodeExpired(ILogger logger, long nodeId, string givenName);

    [LoggerMessage(EventId = NodeDeletedId, EventName = "NodeDeleted", Level = LogLevel.Information,
        Message = "node {NodeId} ({GivenName}) deleted ({Reason})")]
    public static partial void NodeDeleted(ILogger logger, long nodeId, string givenName, string reason);

    [LoggerMessage(EventId = NodeRenamedId, EventName = "NodeRenamed", Level = LogLevel.Information,
        Message = "node {NodeId} renamed from {OldName} to {NewName}")]
    public static partial void NodeRenamed(ILogger logger, long nodeId, string oldName, string newName);

    [LoggerMessage(EventId = NodeTaggedId, EventName = "NodeTagged", Level = LogLevel.Information,
        Message = "node {NodeId} ({GivenName}) tags set to [{Tags}]")]
    public static partial void NodeTagged(ILogger logger, long nodeId, string givenName, IEnumerable<string> tags);

    [LoggerMessage(EventId = RoutesApprovedId, EventName = "RoutesApproved", Level = LogLevel.Information,
        Message = "node {NodeId} ({GivenName}) approved routes set to [{Routes}]")]
    public static partial void RoutesApproved(ILogger logger, long nodeId, string givenName, IEnumerable<System.Net.IPNetwork> routes);

    [LoggerMessage(EventId = NodeKeyRotatedId, EventName = "NodeKeyRotated", Level = LogLevel.Information,
        Message = "node {NodeId} ({GivenName}) rotated its node key")]
    public static partial void NodeKeyRotated(ILogger logger, long nodeId, string givenName);

    [LoggerMessage(EventId = NodeLoggedOutId, EventName = "NodeLoggedOut", Level = LogLevel.Information,
        Message = "node {NodeId} ({GivenName}) logged out")]
    public static partial void NodeLoggedOut(ILogger logger, long nodeId, string givenName);

    [LoggerMessage(EventId = NodeKeyExpiredByClockId, EventName = "NodeKeyExpiredByClock", Level = LogLevel.Information,
        Message = "node {NodeId} ({GivenName}) key expired")]
    public static partial void NodeKeyExpiredByClock(ILogger logger, long nodeId, string givenName);

    [LoggerMessage(EventId = RegistrationRefusedId, EventName = "RegistrationRefused", Level = LogLevel.Warning,
        Message = "registration of machine {MachineKey} refused: {Reason}")]
    public static partial void RegistrationRefused(ILogger logger, string machineKey, string reason);

    [LoggerMessage(EventId = MapRequestRefusedId, EventName = "MapRequestRefused", Level = LogLevel.Warning,
        Message = "map request from machine {MachineKey} refused: {Reason}")]
    public static partial void MapRequestRefused(ILogger logger, string machineKey, string reason);

    [LoggerMessage(EventId = CommandRefusedId, EventName = "CommandRefused", Level = LogLevel.Information,
        Message = "{Command} refused ({Status}): {Reason}")]
    public static partial void CommandRefused(ILogger logger, string command, Identity.OperationStatus status, string? reason);

    [LoggerMessage(EventId = StorageWriteFailedId, EventName = "StorageWriteFailed", Level = LogLevel.Error,
        Message = "{Command} failed: the database refused the write; nothing changed")]
    public static partial void StorageWriteFailed(ILogger logger, Exception exception, string command);

    [LoggerMessage(EventId = UserCreatedId, EventName = "UserCreated", Level = LogLevel.Information,
        Message = "user {UserId} ({UserName}) created")]
    public static partial void UserCreated(ILogger logger, long userId, string userName);

    [LoggerMessage(EventId = UserRenamedId, EventName = "UserRenamed", Level = LogLevel.Information,
        Message = "user {UserId} renamed to {UserName}")]
    public static partial void UserRenamed(ILogger logger, long userId, string userName);

    [LoggerMessage(EventId = UserUpdatedId, EventName = "UserUpdated", Level = LogLevel.Information,
        Message = "user {UserId} ({UserName}) profile updated")]
    public static partial void UserUpdated(ILogger logger, long userId, string userName);

    [LoggerMessage(EventId = UserDeletedId, EventName = "UserDeleted", Level = LogLevel.Information,
        Message = "user {UserId} ({UserName}) deleted with {NodeCount} nodes")]
    public static partial void UserDeleted(ILogger logger, long userId, string userName, int nodeCount);

    [LoggerMessage(EventId = PreAuthKeyCreatedId, EventName = "PreAuthKeyCreated", Level = LogLevel.Information,
        Message = "pre-auth key {Prefix} created (user {UserId}, reusable {Reusable}, ephemeral {Ephemeral}, expires {Expires:o})")]
    public static partial void PreAuthKeyCreated(ILogger logger, string prefix, long? userId, bool reusable, bool ephemeral, DateTimeOffset expires);

    [LoggerMessage(EventId = PreAuthKeyExpiredId, EventName = "PreAuthKeyExpired", Level = LogLevel.Information,
        Message = "pre-auth key {Prefix} expired by the operator")]
    public static partial void PreAuthKeyExpired(ILogger logger, string prefix);

    [LoggerMessage(EventId = PreAuthKeyDeletedId, EventName = "PreAuthKeyDeleted", Level = LogLevel.Information,
        Message = "pre-auth key {Prefix} deleted by the operator")]
    public static partial void PreAuthKeyDeleted(ILogger logger, string prefix);

    [LoggerMessage(EventId = PolicyAppliedId, EventName = "PolicyApplied", Level = LogLevel.Information,
        Message = "policy applied from {Source}")]
    public static partial void PolicyApplied(ILogger logger, string source);

    [LoggerMessage(EventId = PolicyRefusedId, EventName = "PolicyRefused", Level = LogLevel.Warning,
        Message = "policy from {Source} refused: {Errors}")]
    public static partial void PolicyRefused(ILogger logger, string source, IEnumerable<Appliance.Policy.Model.PolicyError> errors);

    [LoggerMessage(EventId = PolicyClearedId, EventName = "PolicyCleared", Level = LogLevel.Information,
        Message = "policy cleared: every node may reach every node")]
    public static partial void PolicyCleared(ILogger logger);

    [LoggerMessage(EventId = BackgroundWorkFailedId, EventName = "BackgroundWorkFailed", Level = LogLevel.Error,
        Message = "background work {Work} failed; it runs again on its next tick")]
    public static partial void BackgroundWorkFailed(ILogger logger, Exception exception, string work);
}
