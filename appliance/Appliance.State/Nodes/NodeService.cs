using Appliance.State.Coordinator;
using Appliance.State.Identity;

namespace Appliance.State.Nodes;

/// <summary>
/// The operator's node verbs: list, expire, delete, rename, tag, approve routes. Reads come from the coordinator's
/// snapshot; every write is a command on the coordinator's writer (<see cref="ControlCoordinator.ExpireNode"/> and
/// siblings), so it is never undone by a racing map request and connected peers learn of it in the same step. In
/// the CLI's direct mode the coordinator is the in-process one over the database (<see cref="ControlCoordinator.Load"/>).
/// </summary>
public sealed class NodeService(ControlCoordinator coordinator, IUserDirectory users, INodePresence presence)
{
    public NodeService(ControlCoordinator coordinator, IUserDirectory users)
        : this(coordinator, users, coordinator)
    {
    }

    /// <summary>Every node, or one user's, by id.</summary>
    public OperationResult<IReadOnlyList<NodeView>> List(string? userName = null)
    {
        var names = users.List().ToDictionary(u => u.Id, u => u.Name);
        long? only = null;
        if (userName is not null)
        {
            if (users.GetByName(userName) is not { } user)
            {
                return OperationResult.NotFound<IReadOnlyList<NodeView>>($"no user named '{userName}'");
            }

            only = user.Id;
        }

        var nodes = coordinator.Snapshot.Nodes.Values
            .Where(e => only is null || e.Record.UserId == only)
            .OrderBy(e => e.Id)
            .Select(e => new NodeView(
                e.Record,
                e.Record.UserId is { } id ? names.GetValueOrDefault(id) ?? users.Find(id)?.Name : null,
                presence.IsOnline(e.Id)));
        return OperationResult.Ok<IReadOnlyList<NodeView>>([.. nodes]);
    }

    public TailnetNode? Get(long id) => coordinator.Snapshot.Find(id)?.Record;

    /// <summary>Expires the node key now: the client must re-authenticate. An earlier expiry is kept.</summary>
    public OperationResult<TailnetNode> Expire(long id) => coordinator.ExpireNode(id);

    /// <summary>
    /// Sets when the node key expires (Headscale's `nodes expire --expiry TIME`), or with null never (`--disable`).
    /// A time in the past expires the node at once.
    /// </summary>
    public OperationResult<TailnetNode> SetExpiry(long id, DateTimeOffset? expiry) =>
        coordinator.SetNodeExpiry(id, expiry);

    /// <summary>Renames the node's MagicDNS label; the name must be a free DNS label.</summary>
    public OperationResult<TailnetNode> Rename(long id, string newName) => coordinator.RenameNode(id, newName);

    /// <summary>Replaces the node's tags (a tagged node loses its user; a node without a user keeps at least one tag).</summary>
    public OperationResult<TailnetNode> SetTags(long id, IReadOnlyList<string> tags) => coordinator.SetNodeTags(id, tags);

    /// <summary>Replaces the routes the operator approved for the node (empty clears them).</summary>
    public OperationResult<TailnetNode> ApproveRoutes(long id, IReadOnlyList<string> routes) => coordinator.ApproveNodeRoutes(id, routes);

    public OperationResult<TailnetNode> Delete(long id) => coordinator.DeleteNode(id);
}
