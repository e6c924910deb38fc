using System.Globalization;
using Appliance.Hosting.Admin;
using Appliance.State.Identity;

namespace Appliance.Hosting.Audit;

/// <summary>
/// The admin API with every changing verb recorded in the audit log after it ran, whatever its outcome ("ok" or
/// "refused: REASON"). Reads (lists, get, check) are not recorded. One decorator serves both paths a verb can take:
/// admin.sock in the service (actor from the socket's peer credentials) and the CLI on the database directly (the
/// CLI's OS user). Tailnet changes still go through State's command path inside <paramref name="inner"/>; this
/// layer only adds who asked, which State does not know.
/// </summary>
public sealed class AuditedAdminApi(IAdminApi inner, AuditTrail audit, string fallbackActor) : IAdminApi
{
    public Task<OperationResult<IReadOnlyList<UserDto>>> ListUsersAsync(CancellationToken cancellationToken) => inner.ListUsersAsync(cancellationToken);

    public Task<OperationResult<UserDto>> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken) =>
        Recorded("user.create", request.Name, inner.CreateUserAsync(request, cancellationToken));

    public Task<OperationResult<UserDto>> RenameUserAsync(string name, string newName, CancellationToken cancellationToken) =>
        Recorded("user.rename", $"{name} -> {newName}", inner.RenameUserAsync(name, newName, cancellationToken));

    public Task<OperationResult<UserDeletionDto>> DeleteUserAsync(string name, bool force, CancellationToken cancellationToken) =>
        Recorded("user.delete", force ? name + " (force)" : name, inner.DeleteUserAsync(name, force, cancellationToken));

    public Task<OperationResult<IReadOnlyList<PreAuthKeyDto>>> ListPreAuthKeysAsync(string? user, CancellationToken cancellationToken) =>
        inner.ListPreAuthKeysAsync(user, cancellationToken);

    public Task<OperationResult<PreAuthKeyDto>> CreatePreAuthKeyAsync(CreatePreAuthKeyRequest request, CancellationToken cancellationToken) =>
        Recorded("preauthkey.create", PreAuthKeyTarget(request), inner.CreatePreAuthKeyAsync(request, cancellationToken));

    public Task<OperationResult<PreAuthKeyDto>> ExpirePreAuthKeyAsync(string prefix, CancellationToken cancellationToken) =>
        Recorded("preauthkey.expire", prefix, inner.ExpirePreAuthKeyAsync(prefix, cancellationToken));

    public Task<OperationResult<PreAuthKeyDto>> DeletePreAuthKeyAsync(string prefix, CancellationToken cancellationToken) =>
        Recorded("preauthkey.delete", prefix, inner.DeletePreAuthKeyAsync(prefix, cancellationToken));

    public Task<OperationResult<IReadOnlyList<NodeDto>>> ListNodesAsync(string? user, CancellationToken cancellationToken) => inner.ListNodesAsync(user, cancellationToken);

    public Task<OperationResult<NodeDto>> ExpireNodeAsync(long id, CancellationToken cancellationToken) =>
        Recorded("node.expire", Node(id), inner.ExpireNodeAsync(id, cancellationToken));

    public Task<OperationResult<NodeDto>> SetNodeExpiryAsync(long id, SetExpiryRequest request, CancellationToken cancellationToken) =>
        Recorded("node.set-expiry", $"{Node(id)} until {request.Expiry?.ToString("O", CultureInfo.InvariantCulture) ?? "never"}", inner.SetNodeExpiryAsync(id, request, cancellationToken));

    public Task<OperationResult<NodeDto>> RenameNodeAsync(long id, string newName, CancellationToken cancellationToken) =>
        Recorded("node.rename", $"{Node(id)} -> {newName}", inner.RenameNodeAsync(id, newName, cancellationToken));

    public Task<OperationResult<NodeDto>> SetNodeTagsAsync(long id, IReadOnlyList<string> tags, CancellationToken cancellationToken) =>
        Recorded("node.tags", $"{Node(id)} [{string.Join(',', tags)}]", inner.SetNodeTagsAsync(id, tags, cancellationToken));

    public Task<OperationResult<NodeDto>> DeleteNodeAsync(long id, CancellationToken cancellationToken) =>
        Recorded("node.delete", Node(id), inner.DeleteNodeAsync(id, cancellationToken));

    public Task<OperationResult<IReadOnlyList<PendingRegistrationDto>>> ListPendingRegistrationsAsync(CancellationToken cancellationToken) =>
        inner.ListPendingRegistrationsAsync(cancellationToken);

    public Task<OperationResult<NodeDto>> ApproveRegistrationAsync(string id, string user, CancellationToken cancellationToken) =>
        Recorded("registration.approve", $"{id} for {user}", inner.ApproveRegistrationAsync(id, user, cancellationToken));

    public Task<OperationResult<RegistrationRejectionDto>> RejectRegistrationAsync(string id, string? reason, CancellationToken cancellationToken) =>
        Recorded("registration.reject", reason is null ? id : $"{id} ({reason})", inner.RejectRegistrationAsync(id, reason, cancellationToken));

    public Task<OperationResult<NodeDto>> ApproveNodeRoutesAsync(long id, IReadOnlyList<string> routes, CancellationToken cancellationToken) =>
        Recorded("node.routes", $"{Node(id)} [{string.Join(',', routes)}]", inner.ApproveNodeRoutesAsync(id, routes, cancellationToken));

    public Task<OperationResult<PolicyDto>> GetPolicyAsync(CancellationToken cancellationToken) => inner.GetPolicyAsync(cancellationToken);

    public Task<OperationResult<PolicyDto>> SetPolicyAsync(SetPolicyRequest request, CancellationToken cancellationToken) =>
        Recorded("policy.set", request.Name ?? "(admin API)", inner.SetPolicyAsync(request, cancellationToken));

    public Task<OperationResult<PolicyCheckDto>> CheckPolicyAsync(CheckPolicyRequest request, CancellationToken cancellationToken) => inner.CheckPolicyAsync(request, cancellationToken);

    private async Task<OperationResult<T>> Recorded<T>(string action, string target, Task<OperationResult<T>> call)
    {
        if (AuditActor.InConsoleRequest)
        {
            // The console's audit hook records this change with the person, role and address (AuditLogConsoleHook).
            return await call.ConfigureAwait(false);
        }

        OperationResult<T> result;
        try
        {
            result = await call.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            audit.Record(Actor, action, target, "failed: " + e.GetType().Name);
            throw;
        }

        audit.Record(Actor, action, target, Outcome(result));
        return result;
    }

    private string Actor => AuditActor.Current ?? fallbackActor;

    private static string Outcome<T>(OperationResult<T> result) =>
        result.IsOk ? "ok" : $"refused ({result.Status.ToString().ToLowerInvariant()}): {result.Error}";

    private static string Node(long id) => "node " + id.ToString(CultureInfo.InvariantCulture);

    private static string PreAuthKeyTarget(CreatePreAuthKeyRequest request) =>
        $"user {request.User ?? "(tags)"}{(request.Reusable ? " reusable" : "")}{(request.Ephemeral ? " ephemeral" : "")}"
        + $" expiration {request.Expiration ?? "1h"}{(request.Tags is { Count: > 0 } tags ? " tags " + string.Join(',', tags) : "")}";
}
