using System.Text.Json.Serialization;
using Appliance.Protocol.Keys;

namespace Appliance.Protocol.Control;

/// <summary>
/// Body of <c>POST /machine/map</c> (tailcfg.MapRequest). Kinds (docs/wire/control.md "/machine/map"): Stream=true is the long poll;
/// OmitPeers=true without Stream is a "lite" endpoint/Hostinfo update; neither is a one-shot fetch.
/// </summary>
public sealed record MapRequest
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int Version { get; init; }

    /// <summary>"zstd" from every current client; empty = raw JSON bodies.</summary>
    public string? Compress { get; init; }

    public bool KeepAlive { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public NodePublic NodeKey { get; init; }

    public DiscoPublic DiscoKey { get; init; }

    /// <summary>AddrPort strings, parallel to <see cref="EndpointTypes"/>.</summary>
    public IReadOnlyList<string>? Endpoints { get; init; }

    /// <summary>0 unknown, 1 local, 2 STUN, 3 port-mapped, 4 STUN4LocalPort, 5 explicit.</summary>
    public IReadOnlyList<int>? EndpointTypes { get; init; }

    public bool Stream { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public Hostinfo? Hostinfo { get; init; }

    public bool OmitPeers { get; init; }

    /// <summary>Deprecated; always false from capver 68.</summary>
    public bool ReadOnly { get; init; }

    public IReadOnlyList<string>? DebugFlags { get; init; }

    public string? TKAHead { get; init; }

    public string? MapSessionHandle { get; init; }

    public long MapSessionSeq { get; init; }

    public string? ConnectionHandleForTest { get; init; }

    [JsonIgnore]
    public bool IsLiteUpdate => !Stream && OmitPeers;

    [JsonIgnore]
    public bool WantsZstd => string.Equals(Compress, "zstd", StringComparison.Ordinal);
}
