using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Policy.Compilation;

/// <summary>
/// tailcfg.FilterRule (tailscale tailcfg/tailcfg.go): traffic from <see cref="SrcIPs"/> to
/// <see cref="DstPorts"/> over <see cref="IPProto"/> (null = TCP, UDP, ICMP) is accepted; or, with
/// <see cref="CapGrant"/>, peers in SrcIPs hold application capabilities on the listed destinations.
/// </summary>
public sealed record FilterRule
{
    [JsonPropertyName("SrcIPs")]
    public required IReadOnlyList<string> SrcIPs { get; init; }

    [JsonPropertyName("DstPorts")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<NetPortRange>? DstPorts { get; init; }

    [JsonPropertyName("IPProto")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<int>? IPProto { get; init; }

    [JsonPropertyName("CapGrant")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<CapGrant>? CapGrant { get; init; }
}

/// <summary>tailcfg.NetPortRange: <c>IP</c> is "*", a bare address, or a CIDR.</summary>
public sealed record NetPortRange(
    [property: JsonPropertyName("IP")] string IP,
    [property: JsonPropertyName("Ports")] PortRangeJson Ports);

/// <summary>tailcfg.PortRange.</summary>
public sealed record PortRangeJson(
    [property: JsonPropertyName("First")] int First,
    [property: JsonPropertyName("Last")] int Last);

/// <summary>tailcfg.CapGrant: capabilities (name → JSON values) the source peers have on <see cref="Dsts"/>.</summary>
public sealed record CapGrant(
    [property: JsonPropertyName("Dsts")] IReadOnlyList<string> Dsts,
    [property: JsonPropertyName("CapMap")] IReadOnlyDictionary<string, IReadOnlyList<JsonElement>?> CapMap);
