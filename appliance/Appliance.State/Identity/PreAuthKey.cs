using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Appliance.State.Identity;

/// <summary>
/// A pre-auth key as State hands it out (never its secret or hash, which stay in Storage). A key belongs to a user,
/// or has no user and at least one tag (nodes it registers are tagged nodes). Translated from Storage's row in
/// <c>Coordinator/StoredRows.cs</c>.
/// </summary>
public sealed record PreAuthKey(
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

/// <summary>
/// The outcome of presenting a pre-auth key. Persisted nowhere, but logged and named in registration refusals:
/// keep the names stable.
/// </summary>
public enum PreAuthKeyCheck
{
    Valid,

    /// <summary>No key with that prefix, or the secret did not match (the two are not told apart).</summary>
    NotFound,

    Expired,

    /// <summary>A single-use key that has already registered a node.</summary>
    AlreadyUsed,

    Revoked,
}

/// <summary>The check result and, when Valid, the key as it is after this use.</summary>
public readonly record struct PreAuthKeyUse(PreAuthKeyCheck Check, PreAuthKey? Key)
{
    [MemberNotNullWhen(true, nameof(Key))]
    public bool IsValid => Check == PreAuthKeyCheck.Valid && Key is not null;
}
