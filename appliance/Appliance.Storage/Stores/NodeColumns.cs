namespace Appliance.Storage.Stores;

/// <summary>
/// The `nodes` columns a write changes. Every writer names exactly the columns it owns, so a change made by one
/// command (an operator's tags) is never overwritten by another writer's older copy of the row (a map request's
/// endpoints): issue 12's lost update.
/// </summary>
[Flags]
internal enum NodeColumns
{
    None = 0,
    NodeKey = 1 << 0,
    DiscoKey = 1 << 1,
    Hostname = 1 << 2,
    GivenName = 1 << 3,
    UserId = 1 << 4,
    Tags = 1 << 5,
    Endpoints = 1 << 6,
    Hostinfo = 1 << 7,
    ApprovedRoutes = 1 << 8,
    KeyExpiry = 1 << 9,
    UpdatedAt = 1 << 10,
    LastSeen = 1 << 11,
    Ephemeral = 1 << 12,
    AuthKeyId = 1 << 13,
    RegisterMethod = 1 << 14,
}
