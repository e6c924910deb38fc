using System.Text.Json.Serialization;
using Appliance.Protocol.Keys;

namespace Appliance.Protocol.Control;

/// <summary>Answer to <c>GET /key?v=N</c> (tailcfg.OverTLSPublicKeyResponse); lowercase JSON tags (docs/wire/noise.md).</summary>
public sealed record OverTLSPublicKeyResponse
{
    /// <summary>The old NaCl transport key; headscale sends the all-zero key, and so do we.</summary>
    [JsonPropertyName("legacyPublicKey")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public MachinePublic LegacyPublicKey { get; init; }

    /// <summary>The server's Noise static key. Zero makes the client fail "control server is too old".</summary>
    [JsonPropertyName("publicKey")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public MachinePublic PublicKey { get; init; }
}

/// <summary>The Noise early payload JSON (tailcfg.EarlyNoise): a fresh challenge key per connection.</summary>
public sealed record EarlyNoise
{
    [JsonPropertyName("nodeKeyChallenge")]
    public ChallengePublic NodeKeyChallenge { get; init; }
}
