using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Hosting.Admin;

/// <summary>Source-generated JSON for the admin API: no reflection, so it survives trimming.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(UserDto))]
[JsonSerializable(typeof(IReadOnlyList<UserDto>))]
[JsonSerializable(typeof(UserDeletionDto))]
[JsonSerializable(typeof(PreAuthKeyDto))]
[JsonSerializable(typeof(IReadOnlyList<PreAuthKeyDto>))]
[JsonSerializable(typeof(NodeDto))]
[JsonSerializable(typeof(IReadOnlyList<NodeDto>))]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(RenameRequest))]
[JsonSerializable(typeof(CreatePreAuthKeyRequest))]
[JsonSerializable(typeof(SetTagsRequest))]
[JsonSerializable(typeof(SetExpiryRequest))]
[JsonSerializable(typeof(ErrorDto))]
[JsonSerializable(typeof(PendingRegistrationDto))]
[JsonSerializable(typeof(IReadOnlyList<PendingRegistrationDto>))]
[JsonSerializable(typeof(ApproveRegistrationRequest))]
[JsonSerializable(typeof(RejectRegistrationRequest))]
[JsonSerializable(typeof(RegistrationRejectionDto))]
[JsonSerializable(typeof(PolicyDto))]
[JsonSerializable(typeof(SetPolicyRequest))]
[JsonSerializable(typeof(CheckPolicyRequest))]
[JsonSerializable(typeof(PolicyCheckDto))]
[JsonSerializable(typeof(ApproveRoutesRequest))]
[JsonSerializable(typeof(Cluster.ClusterStatusDto))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
