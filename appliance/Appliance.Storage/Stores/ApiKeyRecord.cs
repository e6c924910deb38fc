namespace Appliance.Storage.Stores;

/// <summary>A row of `api_keys` without its hash. Expires never when <see cref="ExpiresAt"/> is null.</summary>
internal sealed record ApiKeyRecord(long Id, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt)
{
    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expiry && expiry <= now;
}

/// <summary>The outcome of presenting an API key; NotFound covers a wrong secret too.</summary>
internal enum ApiKeyCheck
{
    Valid,
    NotFound,
    Expired,
}
