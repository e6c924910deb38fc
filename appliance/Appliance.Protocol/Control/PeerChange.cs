using Appliance.Protocol.Keys;

namespace Appliance.Protocol.Control;

/// <summary>
/// One entry of MapResponse.PeersChangedPatch (tailcfg.PeerChange): a small update to a peer the client already has.
/// Absent (null/zero) fields mean "unchanged" (tailscale control/controlclient/map.go, updatePeersStateFromResponse).
/// </summary>
public sealed record PeerChange
{
    public long NodeID { get; init; }

    /// <summary>New home DERP region; 0 = unchanged.</summary>
    public int DERPRegion { get; init; }

    public int Cap { get; init; }

    public IReadOnlyList<string>? Endpoints { get; init; }

    public NodePublic Key { get; init; }

    public string? KeySignature { get; init; }

    public DiscoPublic DiscoKey { get; init; }

    public bool? Online { get; init; }

    public DateTimeOffset? LastSeen { get; init; }

    public DateTimeOffset? KeyExpiry { get; init; }
}
