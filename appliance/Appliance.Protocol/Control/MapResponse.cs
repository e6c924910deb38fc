using System.Text.Json.Serialization;

namespace Appliance.Protocol.Control;

/// <summary>
/// One message of the map stream (tailcfg.MapResponse). Absent fields mean "unchanged" (docs/wire/control.md "Delta semantics"):
/// an empty <see cref="Peers"/> does not clear peers (use <see cref="PeersRemoved"/>), while an empty
/// <see cref="PacketFilter"/> blocks everything. The first message of every stream carries Node and full state.
/// </summary>
public sealed record MapResponse
{
    public bool KeepAlive { get; init; }

    public PingRequest? PingRequest { get; init; }

    public string? PopBrowserURL { get; init; }

    public Node? Node { get; init; }

    public DERPMap? DERPMap { get; init; }

    public IReadOnlyList<Node>? Peers { get; init; }

    public IReadOnlyList<Node>? PeersChanged { get; init; }

    public IReadOnlyList<long>? PeersRemoved { get; init; }

    public IReadOnlyList<PeerChange>? PeersChangedPatch { get; init; }

    public IReadOnlyDictionary<long, bool>? PeerSeenChange { get; init; }

    public IReadOnlyDictionary<long, bool>? OnlineChange { get; init; }

    public DNSConfig? DNSConfig { get; init; }

    public string? Domain { get; init; }

    public bool? CollectServices { get; init; }

    public IReadOnlyList<FilterRule>? PacketFilter { get; init; }

    /// <summary>Named filters: a value sets that name, null deletes it; "*":null clears all first.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<FilterRule>?>? PacketFilters { get; init; }

    public IReadOnlyList<UserProfile>? UserProfiles { get; init; }

    public SSHPolicy? SSHPolicy { get; init; }

    public DateTimeOffset? ControlTime { get; init; }

    public Debug? Debug { get; init; }

    public string? MapSessionHandle { get; init; }

    public long Seq { get; init; }
}

/// <summary>tailcfg.PingRequest: ask the client to prove reachability.</summary>
public sealed record PingRequest
{
    public string? URL { get; init; }

    public bool URLIsNoise { get; init; }

    public bool Log { get; init; }

    public string? Types { get; init; }

    public string? IP { get; init; }

    public string? Payload { get; init; }
}

/// <summary>tailcfg.Debug; the server sends DisableLogTail so air-gapped clients never try log.tailscale.com.</summary>
public sealed record Debug
{
    public long SleepSeconds { get; init; }

    public bool DisableLogTail { get; init; }

    public int? Exit { get; init; }
}
