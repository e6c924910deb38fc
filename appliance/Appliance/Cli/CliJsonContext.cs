using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Cli;

/// <summary>Source-generated JSON for the CLI's own shapes (<see cref="CliDtos"/>), with the admin API's conventions.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(IReadOnlyList<NodeRoutesDto>))]
[JsonSerializable(typeof(VersionDto))]
[JsonSerializable(typeof(ConfigCheckDto))]
[JsonSerializable(typeof(HealthDto))]
[JsonSerializable(typeof(CaStatusDto))]
[JsonSerializable(typeof(CaChangeDto))]
[JsonSerializable(typeof(UpdateStatusDto))]
[JsonSerializable(typeof(UpdateOutcomeDto))]
[JsonSerializable(typeof(UpdateAdoptDto))]
[JsonSerializable(typeof(RootImportDto))]
[JsonSerializable(typeof(RootMetadataDto))]
[JsonSerializable(typeof(PolicyResultDto))]
[JsonSerializable(typeof(IReadOnlyList<Appliance.Updates.Apply.HistoryEntry>))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
public sealed partial class CliJsonContext : JsonSerializerContext;
