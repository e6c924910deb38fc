using System.Text.Json.Serialization;

namespace Appliance.Protocol.Derp;

/// <summary>
/// The JSON the client seals into its ClientInfo frame (tailscale derp/derp_client.go, clientInfo). Field names are
/// mixed case on the wire, exactly as below: <c>{"meshKey":…,"version":2,"CanAckPings":true,"IsProber":true,"AppName":…}</c>.
/// </summary>
public sealed record DerpClientInfo
{
    /// <summary>Mesh pre-shared key, bare 64 hex; only DERP servers of one region send it.</summary>
    [JsonPropertyName("meshKey")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MeshKey { get; init; }

    [JsonPropertyName("version")]
    public int Version { get; init; } = DerpConstants.ProtocolVersion;

    [JsonPropertyName("CanAckPings")]
    public bool CanAckPings { get; init; }

    [JsonPropertyName("IsProber")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool IsProber { get; init; }

    [JsonPropertyName("AppName")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AppName { get; init; }
}
