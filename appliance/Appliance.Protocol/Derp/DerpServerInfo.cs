using System.Text.Json.Serialization;

namespace Appliance.Protocol.Derp;

/// <summary>
/// The JSON the server seals into its ServerInfo frame (tailscale derp/derp.go, ServerInfoMessage / derpserver.go
/// serverInfo): <c>{"version":2}</c>, with optional token-bucket limits on the client's sends (0 = none).
/// </summary>
public sealed record DerpServerInfo
{
    [JsonPropertyName("version")]
    public int Version { get; init; } = DerpConstants.ProtocolVersion;

    [JsonPropertyName("TokenBucketBytesPerSecond")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int TokenBucketBytesPerSecond { get; init; }

    [JsonPropertyName("TokenBucketBytesBurst")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int TokenBucketBytesBurst { get; init; }
}
