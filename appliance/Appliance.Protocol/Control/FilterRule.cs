using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Protocol.Control;

/// <summary>
/// tailcfg.FilterRule (docs/wire/control.md "Packet filter and SSH policy"): enforced on the receiving node. Allow-all is
/// <c>{"SrcIPs":["*"],"DstPorts":[{"IP":"*","Ports":{"First":0,"Last":65535}}]}</c>.
/// </summary>
public sealed record FilterRule
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyList<string> SrcIPs { get; init; } = [];

    public IReadOnlyList<NetPortRange>? DstPorts { get; init; }

    /// <summary>IANA protocol numbers; empty = TCP, UDP and ICMP.</summary>
    public IReadOnlyList<int>? IPProto { get; init; }

    public IReadOnlyList<CapGrant>? CapGrant { get; init; }

    public static FilterRule AllowAll { get; } = new()
    {
        SrcIPs = ["*"],
        DstPorts = [new NetPortRange { IP = "*", Ports = PortRange.All }],
    };
}

/// <summary>tailcfg.NetPortRange: a destination prefix ("*", IP or CIDR) and port range.</summary>
public sealed record NetPortRange
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string IP { get; init; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public PortRange Ports { get; init; } = PortRange.All;
}

/// <summary>tailcfg.PortRange, inclusive. Go writes both fields even when zero.</summary>
public sealed record PortRange
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int First { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int Last { get; init; }

    public static PortRange All { get; } = new() { First = 0, Last = 65535 };
}

/// <summary>tailcfg.CapGrant: application capabilities granted to sources for destinations.</summary>
public sealed record CapGrant
{
    public IReadOnlyList<string>? Dsts { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyList<JsonElement>>? CapMap { get; init; }
}
