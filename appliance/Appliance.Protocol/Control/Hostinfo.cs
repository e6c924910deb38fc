using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Protocol.Control;

/// <summary>
/// A node's self-description (tailcfg.Hostinfo). Every Go field is omitempty/omitzero; the ones Go keeps as
/// <c>opt.Bool</c> (Desktop, AppConnector, StateEncrypted...) are <c>bool?</c> here so an explicit false survives.
/// Fields the server does not act on are kept verbatim in <see cref="Extra"/> so peers see what the node sent;
/// <see cref="HostinfoValidator"/> bounds its size.
/// </summary>
public sealed record Hostinfo
{
    public string? IPNVersion { get; init; }

    public string? FrontendLogID { get; init; }

    public string? BackendLogID { get; init; }

    public string? OS { get; init; }

    public string? OSVersion { get; init; }

    public string? Hostname { get; init; }

    public string? Machine { get; init; }

    public string? GoArch { get; init; }

    /// <summary>Advertised subnet and exit routes (netip.Prefix text).</summary>
    public IReadOnlyList<string>? RoutableIPs { get; init; }

    public IReadOnlyList<string>? RequestTags { get; init; }

    public IReadOnlyList<Service>? Services { get; init; }

    public NetInfo? NetInfo { get; init; }

    /// <summary>Lowercase JSON tag in Go.</summary>
    [JsonPropertyName("sshHostKeys")]
    public IReadOnlyList<string>? SshHostKeys { get; init; }

    public bool? ShieldsUp { get; init; }

    public bool Userspace { get; init; }

    public bool UserspaceRouter { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>tailcfg.Service: a listening service a node reports (peerapi4/6, peerapi-dns-proxy...).</summary>
public sealed record Service
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Proto { get; init; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int Port { get; init; }

    public string? Description { get; init; }
}

/// <summary>
/// tailcfg.NetInfo: the node's view of its network. <see cref="PreferredDERP"/> becomes the node's HomeDERP.
/// opt.Bool fields are <c>bool?</c>; unknown fields round-trip through <see cref="Extra"/>.
/// </summary>
public sealed record NetInfo
{
    public bool? MappingVariesByDestIP { get; init; }

    public bool? WorkingIPv6 { get; init; }

    public bool? OSHasIPv6 { get; init; }

    public bool? WorkingUDP { get; init; }

    public bool? WorkingICMPv4 { get; init; }

    public bool? UPnP { get; init; }

    public bool? PMP { get; init; }

    public bool? PCP { get; init; }

    public int PreferredDERP { get; init; }

    /// <summary>Keyed like <c>"900-v4"</c>, seconds as float.</summary>
    public IReadOnlyDictionary<string, double>? DERPLatency { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
