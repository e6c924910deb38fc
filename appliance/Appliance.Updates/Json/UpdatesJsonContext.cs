using System.Text.Json.Serialization;
using Appliance.Updates.Apply;
using Appliance.Updates.Bundles;
using Appliance.Updates.Signing;
using Appliance.Updates.Trust;

namespace Appliance.Updates.Json;

/// <summary>
/// Source-generated JSON for every document this project reads or writes. Properties are written in
/// declaration order without whitespace, which is what makes the signed forms canonical: a signed document
/// must be byte-equal to its own re-serialisation (see <see cref="CanonicalJson"/>). Unknown members are refused.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    AllowDuplicateProperties = false,
    MaxDepth = 8)]
[JsonSerializable(typeof(ManifestDocument))]
[JsonSerializable(typeof(RootSignedDocument))]
[JsonSerializable(typeof(List<SignatureDocument>))]
[JsonSerializable(typeof(EncryptedKeyDocument))]
[JsonSerializable(typeof(PublicKeyDocument))]
[JsonSerializable(typeof(UpdateStateDocument))]
[JsonSerializable(typeof(List<HistoryEntry>))]
internal sealed partial class UpdatesJsonContext : JsonSerializerContext;
