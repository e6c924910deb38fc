namespace Appliance.State.Identity;

/// <summary>
/// An API key for the remote admin API as State hands it out (never its secret or hash). Expires never when
/// <see cref="ExpiresAt"/> is null. Translated from Storage's row in <c>Coordinator/StoredRows.cs</c>.
/// </summary>
public sealed record ApiKey(long Id, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt)
{
    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expiry && expiry <= now;
}

/// <summary>The outcome of presenting an API key; NotFound covers a wrong secret too.</summary>
public enum ApiKeyCheck
{
    Valid,
    NotFound,
    Expired,
}
