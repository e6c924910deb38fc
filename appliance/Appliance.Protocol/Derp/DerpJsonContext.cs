using System.Text.Json.Serialization;

namespace Appliance.Protocol.Derp;

/// <summary>Source-generated JSON for the DERP handshake messages (trim-safe, no reflection).</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(DerpClientInfo))]
[JsonSerializable(typeof(DerpServerInfo))]
public sealed partial class DerpJsonContext : JsonSerializerContext;
