using Appliance.State.Identity;

namespace Appliance.Hosting.Admin;

/// <summary>
/// The operator's verbs. Implemented by <see cref="AdminOperations"/> (in the service, and in the CLI when it
/// works on the database directly) and by the CLI's client over the admin socket, so both paths give the same
/// answers and the CLI does not care which one it has.
/// </summary>
public interface IAdminApi
{
    Task<OperationResult<IReadOnlyList<UserDto>>> ListUsersAsync(CancellationToken cancellationToken);

    Task<OperationResult<UserDto>> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken);

    Task<OperationResult<UserDto>> RenameUserAsync(string name, string newName, CancellationToken cancellationToken);

    Task<OperationResult<UserDeletionDto>> DeleteUserAsync(string name, bool force, CancellationToken cancellationToken);

    Task<OperationResult<IReadOnlyList<PreAuthKeyDto>>> ListPreAuthKeysAsync(string? user, CancellationToken cancellationToken);

    Task<OperationResult<PreAuthKeyDto>> CreatePreAuthKeyAsync(CreatePreAuthKeyRequest request, CancellationToken cancellationToken);

    Task<OperationResult<PreAuthKeyDto>> ExpirePreAuthKeyAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes a pre-auth key by its prefix; nodes it registered stay.</summary>
    Task<OperationResult<PreAuthKeyDto>> DeletePreAuthKeyAsync(string prefix, CancellationToken cancellationToken);

    Task<OperationResult<IReadOnlyList<NodeDto>>> ListNodesAsync(string? user, CancellationToken cancellationToken);

    Task<OperationResult<NodeDto>> ExpireNodeAsync(long id, CancellationToken cancellationToken);

    /// <summary>Sets the node key's expiry to <see cref="SetExpiryRequest.Expiry"/>, or disables expiry when it is null.</summary>
    Task<OperationResult<NodeDto>> SetNodeExpiryAsync(long id, SetExpiryRequest request, CancellationToken cancellationToken);

    Task<OperationResult<NodeDto>> RenameNodeAsync(long id, string newName, CancellationToken cancellationToken);

    Task<OperationResult<NodeDto>> SetNodeTagsAsync(long id, IReadOnlyList<string> tags, CancellationToken cancellationToken);

    Task<OperationResult<NodeDto>> DeleteNodeAsync(long id, CancellationToken cancellationToken);

    /// <summary>Interactive registrations waiting for approval, oldest first. Running service only.</summary>
    Task<OperationResult<IReadOnlyList<PendingRegistrationDto>>> ListPendingRegistrationsAsync(CancellationToken cancellationToken);

    /// <summary>Admits a waiting machine as a node of <paramref name="user"/>; <paramref name="id"/> may be the AuthURL. Running service only.</summary>
    Task<OperationResult<NodeDto>> ApproveRegistrationAsync(string id, string user, CancellationToken cancellationToken);

    /// <summary>Refuses a waiting machine; its client is told <paramref name="reason"/>. Running service only.</summary>
    Task<OperationResult<RegistrationRejectionDto>> RejectRegistrationAsync(string id, string? reason, CancellationToken cancellationToken);
    /// <summary>Replaces the routes approved for a node (empty clears them); advertised routes are served only once approved.</summary>
    Task<OperationResult<NodeDto>> ApproveNodeRoutesAsync(long id, IReadOnlyList<string> routes, CancellationToken cancellationToken);

    Task<OperationResult<PolicyDto>> GetPolicyAsync(CancellationToken cancellationToken);

    Task<OperationResult<PolicyDto>> SetPolicyAsync(SetPolicyRequest request, CancellationToken cancellationToken);

    Task<OperationResult<PolicyCheckDto>> CheckPolicyAsync(CheckPolicyRequest request, CancellationToken cancellationToken);
}
