using Appliance.State.Coordinator;
using Appliance.Storage.Stores;

namespace Appliance.State.Identity;

/// <summary>A created API key: the full secret (shown once) and the key as stored.</summary>
public sealed record CreatedApiKey(string Key, ApiKey Record);

public sealed partial class IdentityService
{
    /// <summary>Creates an API key for the remote admin API; null expiration means it never expires.</summary>
    public OperationResult<CreatedApiKey> CreateApiKey(TimeSpan? expiration)
    {
        if (expiration is { } e && e <= TimeSpan.Zero)
        {
            return OperationResult.Invalid<CreatedApiKey>("the expiration must be positive");
        }

        var now = _time.GetUtcNow();
        var generated = KeySecrets.Generate(KeySecrets.ApiKind);
        var stored = _apiKeys.Insert(generated.Prefix, generated.Hash, now, now + expiration);
        if (!stored.IsOk)
        {
            throw new InvalidOperationException("generated API key id already exists");
        }

        return OperationResult.Ok(new CreatedApiKey(generated.Key, stored.Row.ToTailnet()));
    }

    public IReadOnlyList<ApiKey> ListApiKeys() => [.. _apiKeys.List().Select(StoredRows.ToTailnet)];

    public OperationResult<ApiKey> ExpireApiKey(string prefix)
    {
        var expired = _apiKeys.Expire(prefix, _time.GetUtcNow());
        return expired.IsOk
            ? OperationResult.Ok(expired.Row.ToTailnet())
            : OperationResult.NotFound<ApiKey>($"no API key with prefix '{prefix}'");
    }

    /// <summary>Checks a presented API key (constant-time) and records its use when valid.</summary>
    public ApiKeyCheck VerifyApiKey(string secret)
    {
        return KeySecrets.TryGetPrefix(KeySecrets.ApiKind, secret, out var prefix)
            ? _apiKeys.Verify(prefix, SecretHashes.Hash(secret), _time.GetUtcNow()).ToTailnet()
            : ApiKeyCheck.NotFound;
    }
}
