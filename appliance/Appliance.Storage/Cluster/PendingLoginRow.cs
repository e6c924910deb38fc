namespace Appliance.Storage.Cluster;

/// <summary>A row of <c>pending_logins</c> (migration 0006): one interactive login waiting for, or decided by, an operator.</summary>
internal sealed record PendingLoginRow(
    long RowId,
    string Id,
    string MachineKey,
    string Request,
    string AuthUrl,
    long CreatedAt,
    long ExpiresAt,
    string State,
    long? NodeId,
    string? Error,
    string InstanceId);
