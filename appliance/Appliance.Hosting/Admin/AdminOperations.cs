using Appliance.Hosting.Configuration;
using Appliance.Hosting.Policy;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.State.Nodes;

namespace Appliance.Hosting.Admin;

/// <summary>
/// The operator verbs over State's services, answering in DTOs. Synchronous work; the Tasks are for the interface.
/// <paramref name="approvals"/> is the running coordinator; without it (the CLI on the database directly) the
/// pending-registration verbs answer that the service is not running.
/// </summary>
/// <param name="policy">The policy verbs; without them (a host with no policy area) they answer Invalid.</param>
public sealed class AdminOperations(
    IdentityService identity,
    NodeService nodes,
    INodePresence presence,
    TimeProvider time,
    IRegistrationApprovals? approvals = null,
    IPolicyAdministration? policy = null) : IAdminApi
{
    public const string NeedsRunningService =
        "pending registrations exist only in the running service: start it (appliance serve, or systemctl start appliance) and run this again";

    private static readonly TimeSpan DefaultPreAuthKeyExpiration = TimeSpan.FromHours(1);

    public Task<OperationResult<IReadOnlyList<UserDto>>> ListUsersAsync(CancellationToken cancellationToken) =>
        Done(OperationResult.Ok<IReadOnlyList<UserDto>>([.. identity.ListUsers().Select(u => u.ToDto())]));

    public Task<OperationResult<UserDto>> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Done(Map(identity.CreateUser(request.Name, request.DisplayName, request.Email), u => u.ToDto()));
    }

    public Task<OperationResult<UserDto>> RenameUserAsync(string name, string newName, CancellationToken cancellationToken) =>
        Done(Map(identity.RenameUser(name, newName), u => u.ToDto()));

    public Task<OperationResult<UserDeletionDto>> DeleteUserAsync(string name, bool force, CancellationToken cancellationToken) =>
        Done(Map(identity.DeleteUser(name, force), d => new UserDeletionDto(d.User.ToDto(), d.RemovedNodeIds)));

    public Task<OperationResult<IReadOnlyList<PreAuthKeyDto>>> ListPreAuthKeysAsync(string? user, CancellationToken cancellationToken)
    {
        var names = UserNames();
        var now = time.GetUtcNow();
        return Done(Map<IReadOnlyList<PreAuthKey>, IReadOnlyList<PreAuthKeyDto>>(
            identity.ListPreAuthKeys(user),
            keys => [.. keys.Select(k => k.ToDto(NameOf(names, k.UserId), now))]));
    }

    public Task<OperationResult<PreAuthKeyDto>> CreatePreAuthKeyAsync(CreatePreAuthKeyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var expiration = DefaultPreAuthKeyExpiration;
        if (request.Expiration is not null && !Duration.TryParse(request.Expiration, out expiration))
        {
            return Done(OperationResult.Invalid<PreAuthKeyDto>($"'{request.Expiration}' is not a duration: use {Duration.Forms}"));
        }

        if (expiration <= TimeSpan.Zero)
        {
            return Done(OperationResult.Invalid<PreAuthKeyDto>($"'{request.Expiration}' is zero: a key must live for some time, such as 1h or 7d"));
        }

        var created = identity.CreatePreAuthKey(
            new PreAuthKeyRequest(request.User, request.Reusable, request.Ephemeral, expiration, request.Tags ?? []));
        var now = time.GetUtcNow();
        return Done(Map(created, c => c.Record.ToDto(request.User, now) with { Key = c.Key }));
    }

    public Task<OperationResult<PreAuthKeyDto>> ExpirePreAuthKeyAsync(string prefix, CancellationToken cancellationToken)
    {
        // Read the clock after the write, so the key just expired reports Expired.
        var expired = identity.ExpirePreAuthKey(prefix);
        var names = UserNames();
        var now = time.GetUtcNow();
        return Done(Map(expired, k => k.ToDto(NameOf(names, k.UserId), now)));
    }

    public Task<OperationResult<PreAuthKeyDto>> DeletePreAuthKeyAsync(string prefix, CancellationToken cancellationToken)
    {
        var deleted = identity.DeletePreAuthKey(prefix);
        var names = UserNames();
        var now = time.GetUtcNow();
        return Done(Map(deleted, k => k.ToDto(NameOf(names, k.UserId), now)));
    }

    public Task<OperationResult<IReadOnlyList<NodeDto>>> ListNodesAsync(string? user, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return Done(Map<IReadOnlyList<NodeView>, IReadOnlyList<NodeDto>>(nodes.List(user), views => [.. views.Select(v => v.ToDto(now))]));
    }

    public Task<OperationResult<NodeDto>> ExpireNodeAsync(long id, CancellationToken cancellationToken) => Done(Node(nodes.Expire(id)));

    public Task<OperationResult<NodeDto>> SetNodeExpiryAsync(long id, SetExpiryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Done(Node(nodes.SetExpiry(id, request.Expiry)));
    }

    public Task<OperationResult<NodeDto>> RenameNodeAsync(long id, string newName, CancellationToken cancellationToken) =>
        Done(Node(nodes.Rename(id, newName)));

    public Task<OperationResult<NodeDto>> SetNodeTagsAsync(long id, IReadOnlyList<string> tags, CancellationToken cancellationToken) =>
        Done(Node(nodes.SetTags(id, tags)));

    public Task<OperationResult<NodeDto>> DeleteNodeAsync(long id, CancellationToken cancellationToken) => Done(Node(nodes.Delete(id)));

    public Task<OperationResult<IReadOnlyList<PendingRegistrationDto>>> ListPendingRegistrationsAsync(CancellationToken cancellationToken)
    {
        if (approvals is null)
        {
            return Done(OperationResult.Invalid<IReadOnlyList<PendingRegistrationDto>>(NeedsRunningService));
        }

        return Done(OperationResult.Ok<IReadOnlyList<PendingRegistrationDto>>([.. approvals.ListPending().Select(p => p.ToDto())]));
    }

    public Task<OperationResult<NodeDto>> ApproveRegistrationAsync(string id, string user, CancellationToken cancellationToken)
    {
        if (approvals is null)
        {
            return Done(OperationResult.Invalid<NodeDto>(NeedsRunningService));
        }

        if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(user))
        {
            return Done(OperationResult.Invalid<NodeDto>("a registration id and a user are required"));
        }

        var approval = approvals.Approve(id, user);
        return Done(approval.Status switch
        {
            ApprovalStatus.Approved => Node(OperationResult.Ok(approval.Node!.Record)),
            ApprovalStatus.UserNotFound => OperationResult.NotFound<NodeDto>($"user '{user}' not found: create it first with `appliance users create {user}`"),
            ApprovalStatus.RegistrationNotFound => OperationResult.NotFound<NodeDto>(
                $"no pending registration '{id}': it was approved already, or it ran out (the client then shows a new URL); see `appliance auth list`"),
            _ => OperationResult.Conflict<NodeDto>("the node could not be created (no free address, or its node key belongs to another machine)"),
        });
    }

    public const string DefaultRejectionReason = "the administrator refused this login";

    public Task<OperationResult<RegistrationRejectionDto>> RejectRegistrationAsync(string id, string? reason, CancellationToken cancellationToken)
    {
        if (approvals is null)
        {
            return Done(OperationResult.Invalid<RegistrationRejectionDto>(NeedsRunningService));
        }

        if (string.IsNullOrWhiteSpace(id))
        {
            return Done(OperationResult.Invalid<RegistrationRejectionDto>("a registration id is required"));
        }

        var told = string.IsNullOrWhiteSpace(reason) ? DefaultRejectionReason : reason.Trim();
        if (told.Length > 200 || told.Any(char.IsControl))
        {
            return Done(OperationResult.Invalid<RegistrationRejectionDto>("the reason must be one line of at most 200 characters"));
        }

        return Done(approvals.Reject(id, told)
            ? OperationResult.Ok(new RegistrationRejectionDto(id.Trim(), told))
            : OperationResult.NotFound<RegistrationRejectionDto>(
                $"no pending registration '{id}': it was approved or refused already, or it ran out; see `appliance auth list`"));
    }

    public Task<OperationResult<NodeDto>> ApproveNodeRoutesAsync(long id, IReadOnlyList<string> routes, CancellationToken cancellationToken) =>
        Done(Node(nodes.ApproveRoutes(id, routes)));

    public Task<OperationResult<PolicyDto>> GetPolicyAsync(CancellationToken cancellationToken) =>
        Done(policy?.Current() ?? NoPolicyArea<PolicyDto>());

    public Task<OperationResult<PolicyDto>> SetPolicyAsync(SetPolicyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Done(policy?.Replace(request.Text ?? "", "admin:" + (request.Name ?? "api")) ?? NoPolicyArea<PolicyDto>());
    }

    public Task<OperationResult<PolicyCheckDto>> CheckPolicyAsync(CheckPolicyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Done(policy?.Check(request.Text ?? "") ?? NoPolicyArea<PolicyCheckDto>());
    }

    private static OperationResult<T> NoPolicyArea<T>() => OperationResult.Invalid<T>("this host has no policy administration");

    private OperationResult<NodeDto> Node(OperationResult<TailnetNode> result)
    {
        var names = UserNames();
        var now = time.GetUtcNow();
        return Map(result, n => n.ToDto(NameOf(names, n.UserId), presence.IsOnline(n.Id), now));
    }

    private Dictionary<long, string> UserNames() => identity.ListUsers().ToDictionary(u => u.Id, u => u.Name);

    private static string? NameOf(Dictionary<long, string> names, long? id) =>
        id is { } value && names.TryGetValue(value, out var name) ? name : null;

    private static OperationResult<TOut> Map<TIn, TOut>(OperationResult<TIn> result, Func<TIn, TOut> map) =>
        result.IsOk ? OperationResult.Ok(map(result.Value!)) : new OperationResult<TOut>(result.Status, default, result.Error);

    private static Task<T> Done<T>(T value) => Task.FromResult(value);
}
