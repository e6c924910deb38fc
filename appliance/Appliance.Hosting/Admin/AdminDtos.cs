using System.Text.Json.Serialization;

namespace Appliance.Hosting.Admin;

// The admin API's JSON shapes (camelCase), shared by the HTTP endpoints, the CLI's socket client and its output.
// Times are ISO-8601 UTC. Renaming a property breaks scripts that read `-o json`: add, never rename.

public sealed record UserDto(long Id, string Name, string? DisplayName, string? Email, DateTimeOffset CreatedAt);

public sealed record UserDeletionDto(UserDto User, IReadOnlyList<long> RemovedNodes);

/// <param name="Key">The full secret: present only in the response that created the key.</param>
public sealed record PreAuthKeyDto(
    long Id,
    string Prefix,
    string? User,
    IReadOnlyList<string> Tags,
    bool Reusable,
    bool Ephemeral,
    long Used,
    bool Expired,
    DateTimeOffset Expiration,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Key { get; init; }
}

/// <param name="Online">True or false when the running service knows; null when unknown (service stopped).</param>
public sealed record NodeDto(
    long Id,
    string Name,
    string Hostname,
    string? User,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> IpAddresses,
    bool? Online,
    DateTimeOffset? LastSeen,
    DateTimeOffset? Expiry,
    bool Expired,
    bool Ephemeral,
    string MachineKey,
    string NodeKey,
    DateTimeOffset CreatedAt)
{
    /// <summary>Routes the node advertises (Hostinfo.RoutableIPs).</summary>
    public IReadOnlyList<string> AdvertisedRoutes { get; init; } = [];

    /// <summary>Routes an operator approved; served while also advertised (the policy's autoApprovers add more).</summary>
    public IReadOnlyList<string> ApprovedRoutes { get; init; } = [];
}

/// <summary>An interactive registration waiting for `appliance auth approve` (only the running service has them).</summary>
/// <param name="Id">What `auth approve` takes: the last segment of the AuthURL the client printed.</param>
public sealed record PendingRegistrationDto(
    string Id,
    string MachineKey,
    string Hostname,
    string? Os,
    bool Ephemeral,
    string AuthUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);

public sealed record ApproveRegistrationRequest(string User);

/// <param name="Reason">What the waiting client is told (tailscale up prints it); a default when empty.</param>
public sealed record RejectRegistrationRequest(string? Reason);

public sealed record RegistrationRejectionDto(string Id, string Reason);

public sealed record CreateUserRequest(string Name, string? DisplayName = null, string? Email = null);

public sealed record RenameRequest(string NewName);

/// <param name="Expiration">A duration such as `1h`, `30m`, `7d` or `1h30m`; default 1h.</param>
public sealed record CreatePreAuthKeyRequest(
    string? User,
    bool Reusable = false,
    bool Ephemeral = false,
    string? Expiration = null,
    IReadOnlyList<string>? Tags = null);

/// <param name="Expiry">When the node key expires (ISO-8601); null: it never expires.</param>
public sealed record SetExpiryRequest(DateTimeOffset? Expiry);

public sealed record SetTagsRequest(IReadOnlyList<string> Tags);

/// <param name="Status">notFound, conflict, invalid or forbidden.</param>
public sealed record ErrorDto(string Error, string Status);
