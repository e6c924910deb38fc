using System.Text.Json.Serialization;

namespace Appliance.Protocol.Control;

/// <summary>
/// tailcfg.DERPMap (docs/wire/derp.md "DERPMap rules"). Region keys must equal RegionID, and a region is never null
/// (clients since ~v1.80 drop null regions; tailscale PR #14753). Built from config or a local file, never fetched.
/// </summary>
public sealed record DERPMap
{
    public DERPHomeParams? HomeParams { get; init; }

    public IReadOnlyDictionary<int, DERPRegion>? Regions { get; init; }

    [JsonPropertyName("omitDefaultRegions")]
    public bool OmitDefaultRegions { get; init; }
}

/// <summary>tailcfg.DERPHomeParams: per-region score multipliers.</summary>
public sealed record DERPHomeParams
{
    public IReadOnlyDictionary<int, double>? RegionScore { get; init; }
}

/// <summary>tailcfg.DERPRegion. IDs 900–999 are meant for self-hosters.</summary>
public sealed record DERPRegion
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int RegionID { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string RegionCode { get; init; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string RegionName { get; init; } = "";

    public double Latitude { get; init; }

    public double Longitude { get; init; }

    public bool Avoid { get; init; }

    public bool NoMeasureNoHome { get; init; }

    /// <summary>In priority order.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyList<DERPNode> Nodes { get; init; } = [];
}

/// <summary>tailcfg.DERPNode. RegionID must be set on every node (tailscale #9526).</summary>
public sealed record DERPNode
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Name { get; init; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int RegionID { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string HostName { get; init; } = "";

    /// <summary>Certificate name to verify, or <c>sha256-raw:&lt;hex&gt;</c> to pin the leaf (v1.84+).</summary>
    public string? CertName { get; init; }

    /// <summary>Dial address; "none" disables IPv4; empty = DNS.</summary>
    public string? IPv4 { get; init; }

    public string? IPv6 { get; init; }

    /// <summary>0 = 3478, −1 = disabled.</summary>
    public int STUNPort { get; init; }

    public bool STUNOnly { get; init; }

    /// <summary>TLS port; 0 = 443.</summary>
    public int DERPPort { get; init; }

    public bool InsecureForTests { get; init; }

    public string? STUNTestIP { get; init; }

    public bool CanPort80 { get; init; }
}
