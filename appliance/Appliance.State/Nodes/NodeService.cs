using Appliance.State.Identity;
using Appliance.Storage.Database;
using Appliance.Storage.Stores;

namespace Appliance.State.Nodes;

/// <summary>
/// The operator's node verbs: list, expire, delete, rename, tag, approve routes. Each write goes to the database first, then
/// <see cref="INodeChangeSink"/> is told, so connected peers learn of it without waiting for a poll.
/// </summary>
public sealed class NodeService(ApplianceDatabase database, TimeProvider time, INodeChangeSink changes, INodePresence presence)
{
    private readonly NodeStore _nodes = new(database);
    private readonly UserStore _users = new(database);

    public NodeService(ApplianceDatabase database, TimeProvider time)
        : this(database, time, NullNodeChangeSink.Instance, UnknownNodePresence.Instance)
    {
    }

    /// <summary>Every node, or one user's, by id.</summary>
    public OperationResult<IReadOnlyList<NodeView>> List(string? userName = null)
    {
        var users = _users.List().ToDictionary(u => u.Id);
        IReadOnlyList<NodeRecord> nodes;
        if (userName is null)
        {
            nodes = _nodes.List();
        }
        else if (users.Values.FirstOrDefault(u => u.Name == userName) is { } user)
        {
            nodes = _nodes.ListByUser(user.Id);
        }
        else
        {
            return OperationResult.NotFound<IReadOnlyList<NodeView>>($"no user named '{userName}'");
        }

        return OperationResult.Ok<IReadOnlyList<NodeView>>(
            [.. nodes.Select(n => new NodeView(n, n.UserId is { } id && users.TryGetValue(id, out var u) ? u.Name : null, presence.IsOnline(n.Id)))]);
    }

    public NodeRecord? Get(long id) => _nodes.Get(id);

    /// <summary>Expires the node key now: the client must re-authenticate. An earlier expiry is kept.</summary>
    public OperationResult<NodeRecord> Expire(long id)
    {
        var now = time.GetUtcNow();
        return Change(id, node => node with
        {
            KeyExpiry = node.KeyExpiry is { } expiry && expiry < now ? expiry : now,
            UpdatedAt = now,
        });
    }

    /// <summary>
    /// Sets when the node key expires (Headscale's `nodes expire --expiry TIME`), or with null never (`--disable`).
    /// A time in the past expires the node at once.
    /// </summary>
    public OperationResult<NodeRecord> SetExpiry(long id, DateTimeOffset? expiry) =>
        Change(id, node => node with { KeyExpiry = expiry, UpdatedAt = time.GetUtcNow() });

    /// <summary>Renames the node's MagicDNS label; the name must be a free DNS label.</summary>
    public OperationResult<NodeRecord> Rename(long id, string newName)
    {
        if (NameRules.CheckNodeName(newName) is { } problem)
        {
            return OperationResult.Invalid<NodeRecord>(problem);
        }

        return Change(id, node => node with { GivenName = newName, UpdatedAt = time.GetUtcNow() });
    }

    /// <summary>
    /// Replaces the node's tags. As in Tailscale, a tagged node is owned by its tags, not by a user: giving a user's
    /// node tags removes its user. A node without a user must keep at least one tag.
    /// </summary>
    public OperationResult<NodeRecord> SetTags(long id, IReadOnlyList<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (NameRules.CheckTags(tags) is { } problem)
        {
            return OperationResult.Invalid<NodeRecord>(problem);
        }

        var current = _nodes.Get(id);
        if (current is null)
        {
            return NotFound(id);
        }

        if (tags.Count == 0 && current.UserId is null)
        {
            return OperationResult.Invalid<NodeRecord>(
                $"node {id} is owned by its tags (it has no user); it must keep at least one tag");
        }

        return Change(id, node => node with
        {
            Tags = [.. tags],
            UserId = tags.Count > 0 ? null : node.UserId,
            UpdatedAt = time.GetUtcNow(),
        });
    }

    /// <summary>
    /// Replaces the routes the operator approved for the node (empty clears them). Only routes the node also
    /// advertises are served; 0.0.0.0/0 and ::/0 make it an exit node. A prefix with host bits set is refused.
    /// </summary>
    public OperationResult<NodeRecord> ApproveRoutes(long id, IReadOnlyList<string> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var parsed = new List<System.Net.IPNetwork>();
        foreach (var text in routes.Select(r => r.Trim()).Where(r => r.Length > 0))
        {
            // IPNetwork.TryParse masks host bits away; an operator who typed 10.0.0.1/24 meant something else, so refuse.
            if (!System.Net.IPNetwork.TryParse(text, out var prefix)
                || !System.Net.IPAddress.TryParse(text.Split('/')[0], out var typed) || !typed.Equals(prefix.BaseAddress))
            {
                return OperationResult.Invalid<NodeRecord>(
                    $"'{text}' is not a route: use a prefix such as 10.0.0.0/24, 0.0.0.0/0 or ::/0, with no host bits set");
            }

            if (!parsed.Contains(prefix))
            {
                parsed.Add(prefix);
            }
        }

        return Change(id, node => node with { ApprovedRoutes = [.. parsed], UpdatedAt = time.GetUtcNow() });
    }

    public OperationResult<NodeRecord> Delete(long id)
    {
        var node = _nodes.Get(id);
        if (node is null || !_nodes.Delete(id))
        {
            return NotFound(id);
        }

        changes.NodesRemoved([id]);
        return OperationResult.Ok(node);
    }

    private OperationResult<NodeRecord> Change(long id, Func<NodeRecord, NodeRecord> change)
    {
        var node = _nodes.Get(id);
        if (node is null)
        {
            return NotFound(id);
        }

        var written = _nodes.UpdateByMachineKey(node.MachineKey, current => current.Id == id ? change(current) : current);
        switch (written.Status)
        {
            case WriteStatus.Ok:
                changes.NodesChanged([id]);
                return OperationResult.Ok(written.Row!);
            case WriteStatus.Conflict:
                return OperationResult.Conflict<NodeRecord>("another node already uses that name");
            default:
                return NotFound(id);
        }
    }

    private static OperationResult<NodeRecord> NotFound(long id) => OperationResult.NotFound<NodeRecord>($"no node with id {id}");
}
