using System.Net;
using Appliance.State.Commands;
using Appliance.State.Identity;
using Appliance.State.Nodes;

namespace Appliance.State.Coordinator;

/// <summary>
/// The operator's node commands. Each runs on the writer: it validates against the live snapshot, persists only the
/// columns it changes, publishes the new snapshot and queues the change for every connected stream (expire sends
/// the node its own past KeyExpiry and peers Expired:true; delete removes the peer and ends the node's own streams
/// so the client must re-register, headscale #3410). It either takes effect completely or fails and changes nothing.
/// </summary>
public sealed partial class ControlCoordinator
{
    /// <summary>Expires the node key now: the client must re-authenticate. An earlier expiry is kept.</summary>
    public OperationResult<TailnetNode> ExpireNode(long nodeId)
    {
        var result = ChangeNode("expire node", nodeId, NodeColumns.KeyExpiry | NodeColumns.UpdatedAt, node =>
        {
            var now = _time.GetUtcNow();
            return OperationResult.Ok(node with { KeyExpiry = node.KeyExpiry is { } expiry && expiry < now ? expiry : now, UpdatedAt = now });
        });
        if (result.IsOk)
        {
            StateEvents.NodeExpired(_log, nodeId, result.Value.GivenName);
        }

        return result;
    }

    /// <summary>
    /// Sets when the node key expires (Headscale's `nodes expire --expiry TIME`), or never with null (`--disable`).
    /// A time in the past expires the node at once; peers learn either way.
    /// </summary>
    public OperationResult<TailnetNode> SetNodeExpiry(long nodeId, DateTimeOffset? expiry)
    {
        var result = ChangeNode("set node expiry", nodeId, NodeColumns.KeyExpiry | NodeColumns.UpdatedAt,
            node => OperationResult.Ok(node with { KeyExpiry = expiry, UpdatedAt = _time.GetUtcNow() }));
        if (result.IsOk && expiry is { } at && at <= _time.GetUtcNow())
        {
            StateEvents.NodeExpired(_log, nodeId, result.Value.GivenName);
        }

        return result;
    }

    /// <summary>Renames the node's MagicDNS label; the name must be a valid DNS label not used by another node.</summary>
    public OperationResult<TailnetNode> RenameNode(long nodeId, string newName)
    {
        if (NameRules.CheckNodeName(newName) is { } problem)
        {
            return Refused<TailnetNode>("rename node", OperationResult.Invalid<TailnetNode>(problem));
        }

        string? oldName = null;
        var result = ChangeNode("rename node", nodeId, NodeColumns.GivenName | NodeColumns.UpdatedAt, node =>
        {
            if (_snapshot.ByGivenName.TryGetValue(newName, out var holder) && holder != nodeId)
            {
                return OperationResult.Conflict<TailnetNode>($"another node already uses the name '{newName}'");
            }

            oldName = node.GivenName;
            return OperationResult.Ok(node with { GivenName = newName, UpdatedAt = _time.GetUtcNow() });
        });
        if (result.IsOk)
        {
            StateEvents.NodeRenamed(_log, nodeId, oldName ?? "", newName);
        }

        return result;
    }

    /// <summary>
    /// Replaces the node's tags. As in Tailscale, a tagged node is owned by its tags, not by a user: giving a user's
    /// node tags removes its user. A node without a user must keep at least one tag.
    /// </summary>
    public OperationResult<TailnetNode> SetNodeTags(long nodeId, IReadOnlyList<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (NameRules.CheckTags(tags) is { } problem)
        {
            return Refused<TailnetNode>("tag node", OperationResult.Invalid<TailnetNode>(problem));
        }

        var result = ChangeNode("tag node", nodeId, NodeColumns.Tags | NodeColumns.UserId | NodeColumns.UpdatedAt, node =>
        {
            if (tags.Count == 0 && node.UserId is null)
            {
                return OperationResult.Invalid<TailnetNode>($"node {nodeId} is owned by its tags (it has no user); it must keep at least one tag");
            }

            return OperationResult.Ok(node with
            {
                Tags = [.. tags],
                UserId = tags.Count > 0 ? null : node.UserId,
                UpdatedAt = _time.GetUtcNow(),
            });
        });
        if (result.IsOk)
        {
            StateEvents.NodeTagged(_log, nodeId, result.Value.GivenName, tags);
        }

        return result;
    }

    /// <summary>
    /// Replaces the routes the operator approved for the node (empty clears them). Only routes the node also
    /// advertises are served; 0.0.0.0/0 and ::/0 make it an exit node. A prefix with host bits set is refused.
    /// </summary>
    public OperationResult<TailnetNode> ApproveNodeRoutes(long nodeId, IReadOnlyList<string> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var parsed = new List<IPNetwork>();
        foreach (var text in routes.Select(r => r.Trim()).Where(r => r.Length > 0))
        {
            // IPNetwork.TryParse masks host bits away; an operator who typed 10.0.0.1/24 meant something else, so refuse.
            if (!IPNetwork.TryParse(text, out var prefix)
                || !IPAddress.TryParse(text.Split('/')[0], out var typed) || !typed.Equals(prefix.BaseAddress))
            {
                return Refused<TailnetNode>("approve routes", OperationResult.Invalid<TailnetNode>(
                    $"'{text}' is not a route: use a prefix such as 10.0.0.0/24, 0.0.0.0/0 or ::/0, with no host bits set"));
            }

            if (!parsed.Contains(prefix))
            {
                parsed.Add(prefix);
            }
        }

        var result = ChangeNode("approve routes", nodeId, NodeColumns.ApprovedRoutes | NodeColumns.UpdatedAt, node =>
            OperationResult.Ok(node with { ApprovedRoutes = [.. parsed], UpdatedAt = _time.GetUtcNow() }));
        if (result.IsOk)
        {
            StateEvents.RoutesApproved(_log, nodeId, result.Value.GivenName, parsed);
        }

        return result;
    }

    /// <summary>Deletes the node: peers get PeersRemoved and its own streams end.</summary>
    public OperationResult<TailnetNode> DeleteNode(long nodeId) => DeleteNode(nodeId, "by the operator");

    internal OperationResult<TailnetNode> DeleteNode(long nodeId, string reason) => Command("delete node", () =>
    {
        if (_snapshot.Find(nodeId) is not { } entry)
        {
            return NoNode(nodeId);
        }

        _nodes.Delete(nodeId);
        Publish(_snapshot.Without(entry), changes => changes.AddRemoved(nodeId));
        StateEvents.NodeDeleted(_log, nodeId, entry.Record.GivenName, reason);
        return OperationResult.Ok(entry.Record);
    });

    /// <summary>Expires the node key now (the status-only form of <see cref="ExpireNode"/>).</summary>
    public NodeOperationStatus Expire(long nodeId) => StatusOf(ExpireNode(nodeId));

    /// <summary>Deletes the node (the status-only form of <see cref="DeleteNode(long)"/>).</summary>
    public NodeOperationStatus Delete(long nodeId) => StatusOf(DeleteNode(nodeId));

    /// <summary>Sets the MagicDNS label, lower-cased (the status-only form of <see cref="RenameNode"/>).</summary>
    public NodeOperationStatus Rename(long nodeId, string newName)
    {
        ArgumentNullException.ThrowIfNull(newName);
        return StatusOf(RenameNode(nodeId, newName.ToLowerInvariant()));
    }

    /// <summary>
    /// Reads the node from the snapshot, lets <paramref name="change"/> decide the new row, writes exactly
    /// <paramref name="columns"/> and publishes the stored row as a full change.
    /// </summary>
    private OperationResult<TailnetNode> ChangeNode(string command, long nodeId, NodeColumns columns, Func<TailnetNode, OperationResult<TailnetNode>> change) =>
        Command(command, () =>
        {
            if (_snapshot.Find(nodeId) is not { } entry)
            {
                return NoNode(nodeId);
            }

            var wanted = change(entry.Record);
            if (!wanted.IsOk)
            {
                return wanted;
            }

            var stored = _nodes.Update(wanted.Value, columns);
            switch (stored.Status)
            {
                case WriteStatus.Ok:
                    var updated = Reproject(entry, stored.Row);
                    Publish(WithUser(_snapshot.With(updated), updated.Record.UserId), changes => changes.AddFull(nodeId));
                    return OperationResult.Ok(stored.Row!);
                case WriteStatus.Conflict:
                    return OperationResult.Conflict<TailnetNode>("another node already uses that name");
                default:
                    return NoNode(nodeId);
            }
        });

    private static OperationResult<TailnetNode> NoNode(long nodeId) => OperationResult.NotFound<TailnetNode>($"no node with id {nodeId}");

    private static NodeOperationStatus StatusOf(OperationResult<TailnetNode> result) => result.Status switch
    {
        OperationStatus.Ok => NodeOperationStatus.Ok,
        OperationStatus.NotFound => NodeOperationStatus.NotFound,
        OperationStatus.Invalid => NodeOperationStatus.InvalidName,
        OperationStatus.Unavailable => NodeOperationStatus.Unavailable,
        _ => NodeOperationStatus.Conflict,
    };
}

public enum NodeOperationStatus
{
    Ok,
    NotFound,
    Conflict,
    InvalidName,

    /// <summary>The database refused the write; nothing changed.</summary>
    Unavailable,
}
