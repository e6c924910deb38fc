using System.Text.Json.Serialization;
using Appliance.Protocol.Keys;

namespace Appliance.Protocol.Control;

/// <summary>
/// A node as the client sees it, self or peer (tailcfg.Node; fields in docs/wire/control.md "Node"). Instances are
/// immutable and shared: the map builder reuses one per node across every viewer's MapResponse.
/// Zero keys are omitted (Go <c>omitzero</c>); <c>Addresses</c>, <c>Created</c> and <c>Hostinfo</c> are always written.
/// </summary>
public sealed record Node
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public long ID { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string StableID { get; init; } = "";

    /// <summary>MagicDNS FQDN with a trailing dot, e.g. <c>laptop.example.internal.</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Name { get; init; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public long User { get; init; }

    public long Sharer { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public NodePublic Key { get; init; }

    /// <summary>Omitted when the key never expires. A past value on self puts the client in NeedsLogin.</summary>
    public DateTimeOffset? KeyExpiry { get; init; }

    public string? KeySignature { get; init; }

    public MachinePublic Machine { get; init; }

    /// <summary>Required for peers: magicsock ignores a peer with a zero disco key.</summary>
    public DiscoPublic DiscoKey { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyList<string>? Addresses { get; init; }

    /// <summary>Addresses plus approved routes. Null (omitted) means "= Addresses" from capver 112; [] means none.</summary>
    public IReadOnlyList<string>? AllowedIPs { get; init; }

    public IReadOnlyList<string>? Endpoints { get; init; }

    /// <summary>Legacy <c>"127.3.3.40:&lt;region&gt;"</c> form; superseded by HomeDERP from capver 111.</summary>
    [JsonPropertyName("DERP")]
    public string? LegacyDERPString { get; init; }

    public int HomeDERP { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public Hostinfo? Hostinfo { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DateTimeOffset Created { get; init; }

    public int Cap { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    public IReadOnlyList<string>? PrimaryRoutes { get; init; }

    public DateTimeOffset? LastSeen { get; init; }

    public bool? Online { get; init; }

    /// <summary>Self must be true, or the client sits in NeedsMachineAuth.</summary>
    public bool MachineAuthorized { get; init; }

    /// <summary>Node capabilities: <c>{cap: [raw JSON values]}</c>; an empty array is meaningful.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<System.Text.Json.JsonElement>>? CapMap { get; init; }

    public bool UnsignedPeerAPIOnly { get; init; }

    public bool Expired { get; init; }

    public bool IsWireGuardOnly { get; init; }

    public bool IsJailed { get; init; }
}
