using System.Text.Json.Serialization;

namespace Appliance.Protocol.Control;

/// <summary>
/// Source-generated (trim-safe) JSON for every control wire type. Defaults mirror Go's encoding/json with
/// <c>omitempty</c>: zero values are left out unless a property says <c>Never</c> (the fields Go always writes).
/// Names are matched case-insensitively on read, as the Go decoder does; unknown fields are ignored except where a
/// type keeps them (Hostinfo, NetInfo). <see cref="ControlJson"/> wraps this with the request limits.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    PropertyNameCaseInsensitive = true,
    MaxDepth = ControlJson.MaxDepth,
    Converters = [typeof(GoTimeJsonConverter)])]
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(RegisterResponse))]
[JsonSerializable(typeof(MapRequest))]
[JsonSerializable(typeof(MapResponse))]
[JsonSerializable(typeof(Node))]
[JsonSerializable(typeof(Hostinfo))]
[JsonSerializable(typeof(DERPMap))]
[JsonSerializable(typeof(DNSConfig))]
[JsonSerializable(typeof(SSHPolicy))]
[JsonSerializable(typeof(OverTLSPublicKeyResponse))]
[JsonSerializable(typeof(EarlyNoise))]
[JsonSerializable(typeof(IReadOnlyList<FilterRule>))]
public sealed partial class ControlJsonContext : JsonSerializerContext;
