using System.Collections.Immutable;
using System.Net;
using Appliance.Protocol.Keys;

namespace Appliance.State.Nodes;

/// <summary>
/// One registered machine as State holds it: in the snapshot, in command results and in the operator's views. It is
/// State's own immutable type, not Storage's row (the repositories translate at the boundary), so the snapshot and
/// State's API carry no Storage type. A node is owned by a user, or has no user and is tagged. <see cref="Id"/> is 0
/// for a node not inserted yet. <see cref="DiscoKey"/> is Zero until the client sends one.
/// <see cref="HostinfoJson"/> is the client's Hostinfo exactly as last received (control decodes it).
/// </summary>
public sealed record TailnetNode
{
    public long Id { get; init; }

    public required MachinePublic MachineKey { get; init; }

    public required NodePublic NodeKey { get; init; }

    public DiscoPublic DiscoKey { get; init; }

    /// <summary>The hostname the client reports.</summary>
    public required string Hostname { get; init; }

    /// <summary>The MagicDNS label: unique, lower-case, chosen by the server or the operator.</summary>
    public required string GivenName { get; init; }

    public long? UserId { get; init; }

    public ImmutableArray<string> Tags { get; init; } = [];

    public IPAddress? IPv4 { get; init; }

    public IPAddress? IPv6 { get; init; }

    public ImmutableArray<IPEndPoint> Endpoints { get; init; } = [];

    public string? HostinfoJson { get; init; }

    public ImmutableArray<IPNetwork> ApprovedRoutes { get; init; } = [];

    /// <summary>When the node key expires; null for keys that never expire (tagged nodes by default).</summary>
    public DateTimeOffset? KeyExpiry { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? LastSeen { get; init; }

    /// <summary>Removed automatically when it goes offline (registered with an ephemeral key).</summary>
    public bool Ephemeral { get; init; }

    /// <summary>The pre-auth key that registered it, if any (null after that key is deleted).</summary>
    public long? AuthKeyId { get; init; }

    public required RegistrationMethod RegisterMethod { get; init; }

    public bool IsTagged => !Tags.IsDefaultOrEmpty;

    public bool IsKeyExpired(DateTimeOffset now) => KeyExpiry is { } expiry && expiry <= now;
}
