namespace Appliance.State.Identity;

/// <summary>What the operator asks for when creating a pre-auth key.</summary>
/// <param name="UserName">The owning user; null for a tagged-only key (then <paramref name="Tags"/> is required).</param>
/// <param name="Expiration">How long from now the key can be used; positive.</param>
/// <param name="Tags">`tag:x` values given to nodes registered with the key.</param>
public sealed record PreAuthKeyRequest(
    string? UserName,
    bool Reusable,
    bool Ephemeral,
    TimeSpan Expiration,
    IReadOnlyList<string> Tags);

/// <summary>A created key: the full secret (shown once) and the key as stored.</summary>
public sealed record CreatedPreAuthKey(string Key, PreAuthKey Record);
