using System.Collections.Immutable;

namespace Appliance.Storage.Stores;

/// <summary>
/// A row of `pre_auth_keys` without its hash (the hash never leaves the store). A key belongs to a user, or has no
/// user and at least one tag (nodes it registers are tagged nodes).
/// </summary>
internal sealed record PreAuthKeyRecord(
    long Id,
    string Prefix,
    long? UserId,
    ImmutableArray<string> Tags,
    bool Reusable,
    bool Ephemeral,
    long UsedCount,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt)
{
    public bool IsExpired(DateTimeOffset now) => ExpiresAt <= now;
}

/// <summary>The fields chosen when a pre-auth key is created.</summary>
internal sealed record NewPreAuthKey(
    string Prefix,
    ReadOnlyMemory<byte> SecretHash,
    long? UserId,
    IReadOnlyList<string> Tags,
    bool Reusable,
    bool Ephemeral,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt);
