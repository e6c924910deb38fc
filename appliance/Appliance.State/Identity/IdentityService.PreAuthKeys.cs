using Appliance.State.Coordinator;
using Appliance.Storage.Stores;

namespace Appliance.State.Identity;

public sealed partial class IdentityService
{
    /// <summary>The longest expiry accepted; a pre-auth key is a bearer secret, not a permanent credential.</summary>
    public static readonly TimeSpan MaxPreAuthKeyExpiration = TimeSpan.FromDays(3650);

    public OperationResult<CreatedPreAuthKey> CreatePreAuthKey(PreAuthKeyRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Expiration <= TimeSpan.Zero || request.Expiration > MaxPreAuthKeyExpiration)
        {
            return OperationResult.Invalid<CreatedPreAuthKey>("the expiration must be positive and at most 3650 days");
        }

        if (NameRules.CheckTags(request.Tags) is { } tagProblem)
        {
            return OperationResult.Invalid<CreatedPreAuthKey>(tagProblem);
        }

        if (request.UserName is null && request.Tags.Count == 0)
        {
            return OperationResult.Invalid<CreatedPreAuthKey>("a pre-auth key needs a user, or at least one tag for tagged nodes");
        }

        return _writer.Run("create pre-auth key", () => InsertPreAuthKey(request));
    }

    private OperationResult<CreatedPreAuthKey> InsertPreAuthKey(PreAuthKeyRequest request)
    {
        long? userId = null;
        if (request.UserName is { } userName)
        {
            if (_users.GetByName(userName) is not { } user)
            {
                return NoUser<CreatedPreAuthKey>(userName);
            }

            userId = user.Id;
        }

        var now = _time.GetUtcNow();
        var generated = KeySecrets.Generate(KeySecrets.PreAuthKind);
        var stored = _preAuthKeys.Insert(new NewPreAuthKey(
            generated.Prefix, generated.Hash, userId, request.Tags, request.Reusable, request.Ephemeral, now + request.Expiration, now));
        if (!stored.IsOk)
        {
            // 62^12 possible ids: a collision means the random generator is broken, not bad luck.
            throw new InvalidOperationException("generated pre-auth key id already exists");
        }

        StateEvents.PreAuthKeyCreated(_log, stored.Row.Prefix, userId, request.Reusable, request.Ephemeral, stored.Row.ExpiresAt);
        return OperationResult.Ok(new CreatedPreAuthKey(generated.Key, stored.Row.ToTailnet()));
    }

    /// <summary>Every pre-auth key, or one user's.</summary>
    public OperationResult<IReadOnlyList<PreAuthKey>> ListPreAuthKeys(string? userName = null)
    {
        if (userName is null)
        {
            return OperationResult.Ok<IReadOnlyList<PreAuthKey>>([.. _preAuthKeys.List().Select(StoredRows.ToTailnet)]);
        }

        return _users.GetByName(userName) is { } user
            ? OperationResult.Ok<IReadOnlyList<PreAuthKey>>([.. _preAuthKeys.List(user.Id).Select(StoredRows.ToTailnet)])
            : NoUser<IReadOnlyList<PreAuthKey>>(userName);
    }

    /// <summary>Makes the key (named by its public prefix) unusable from now on.</summary>
    public OperationResult<PreAuthKey> ExpirePreAuthKey(string prefix)
    {
        return _writer.Run("expire pre-auth key", () =>
        {
            var expired = _preAuthKeys.Expire(prefix, _time.GetUtcNow());
            if (!expired.IsOk)
            {
                return OperationResult.NotFound<PreAuthKey>($"no pre-auth key with prefix '{prefix}'");
            }

            StateEvents.PreAuthKeyExpired(_log, prefix);
            return OperationResult.Ok(expired.Row.ToTailnet());
        });
    }

    /// <summary>Removes the key (named by its public prefix); nodes it registered stay.</summary>
    public OperationResult<PreAuthKey> DeletePreAuthKey(string prefix)
    {
        return _writer.Run("delete pre-auth key", () =>
        {
            var deleted = _preAuthKeys.Delete(prefix);
            if (!deleted.IsOk)
            {
                return OperationResult.NotFound<PreAuthKey>($"no pre-auth key with prefix '{prefix}'");
            }

            StateEvents.PreAuthKeyDeleted(_log, prefix);
            return OperationResult.Ok(deleted.Row.ToTailnet());
        });
    }

    /// <summary>
    /// Checks a key and, when valid, counts the use on its own; atomic, so a single-use key is used once even under
    /// a race. Registration does not use this (it claims the key with the node write: <see cref="WriteClaimingPreAuthKey{T}"/>).
    /// A malformed key is NotFound.
    /// </summary>
    public PreAuthKeyUse TryConsumePreAuthKey(string secret, DateTimeOffset now)
    {
        if (!KeySecrets.TryGetPrefix(KeySecrets.PreAuthKind, secret, out var prefix))
        {
            return new PreAuthKeyUse(PreAuthKeyCheck.NotFound, null);
        }

        return _preAuthKeys.TryUse(prefix, SecretHashes.Hash(secret), now).ToTailnet();
    }

    /// <summary>Checks a key presented at registration without counting a use. A malformed key is NotFound.</summary>
    public PreAuthKeyUse CheckPreAuthKey(string secret, DateTimeOffset now)
    {
        if (!KeySecrets.TryGetPrefix(KeySecrets.PreAuthKind, secret, out var prefix))
        {
            return new PreAuthKeyUse(PreAuthKeyCheck.NotFound, null);
        }

        return _preAuthKeys.Check(prefix, SecretHashes.Hash(secret), now).ToTailnet();
    }

    /// <summary>
    /// Counts one use of a checked key and runs <paramref name="write"/> (the node it registers) in one database
    /// transaction (issue 12): the key's conditional UPDATE first (it re-checks the key and, on PostgreSQL, locks its
    /// row, so two registrations racing on a single-use key give one node), then the write; a write that is not Ok
    /// or throws (full, read-only, a unique conflict) rolls the use back, so the key can register once space is back.
    /// </summary>
    public ClaimedWrite<T> WriteClaimingPreAuthKey<T>(PreAuthKey key, DateTimeOffset now, Func<Appliance.State.Coordinator.WriteResult<T>> write)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(write);
        return _database.InTransaction(
            () =>
            {
                var claim = _preAuthKeys.Claim(key.Id, now).ToTailnet();
                return claim.IsValid ? new ClaimedWrite<T>(PreAuthKeyCheck.Valid, write()) : ClaimedWrite.Refused<T>(claim.Check);
            },
            claimed => claimed.Key == PreAuthKeyCheck.Valid && claimed.Write.IsOk);
    }
}
