using System.Collections.Immutable;
using System.Net;
using Appliance.Protocol.Keys;
using System.Data.Common;

namespace Appliance.Storage.Stores;

/// <summary>Maps <see cref="NodeRecord"/> to and from `nodes` columns (keys in their text form, lists as JSON).</summary>
internal static class NodeRows
{
    public const string Columns = "id, " + InsertColumns;

    public const string InsertColumns =
        "machine_key, node_key, disco_key, hostname, given_name, user_id, tags, ipv4, ipv6, endpoints, hostinfo, " +
        "approved_routes, key_expiry, created_at, updated_at, last_seen, ephemeral, auth_key_id, register_method";

    /// <summary>Every column but id, as `@name` parameters in <see cref="Columns"/> order.</summary>
    public const string Parameters =
        "@machine_key, @node_key, @disco_key, @hostname, @given_name, @user_id, @tags, @ipv4, @ipv6, @endpoints, @hostinfo, " +
        "@approved_routes, @key_expiry, @created_at, @updated_at, @last_seen, @ephemeral, @auth_key_id, @register_method";

    public const string Assignments =
        "machine_key = @machine_key, node_key = @node_key, disco_key = @disco_key, hostname = @hostname, " +
        "given_name = @given_name, user_id = @user_id, tags = @tags, ipv4 = @ipv4, ipv6 = @ipv6, endpoints = @endpoints, " +
        "hostinfo = @hostinfo, approved_routes = @approved_routes, key_expiry = @key_expiry, created_at = @created_at, " +
        "updated_at = @updated_at, last_seen = @last_seen, ephemeral = @ephemeral, auth_key_id = @auth_key_id, " +
        "register_method = @register_method";

    private static readonly (NodeColumns Column, string Assignment)[] ColumnAssignments =
    [
        (NodeColumns.NodeKey, "node_key = @node_key"),
        (NodeColumns.DiscoKey, "disco_key = @disco_key"),
        (NodeColumns.Hostname, "hostname = @hostname"),
        (NodeColumns.GivenName, "given_name = @given_name"),
        (NodeColumns.UserId, "user_id = @user_id"),
        (NodeColumns.Tags, "tags = @tags"),
        (NodeColumns.Endpoints, "endpoints = @endpoints"),
        (NodeColumns.Hostinfo, "hostinfo = @hostinfo"),
        (NodeColumns.ApprovedRoutes, "approved_routes = @approved_routes"),
        (NodeColumns.KeyExpiry, "key_expiry = @key_expiry"),
        (NodeColumns.UpdatedAt, "updated_at = @updated_at"),
        (NodeColumns.LastSeen, "last_seen = @last_seen"),
        (NodeColumns.Ephemeral, "ephemeral = @ephemeral"),
        (NodeColumns.AuthKeyId, "auth_key_id = @auth_key_id"),
        (NodeColumns.RegisterMethod, "register_method = @register_method"),
    ];

    /// <summary>The SET list for exactly these columns (machine key, addresses and created_at never change after insert).</summary>
    public static string AssignmentsFor(NodeColumns columns) =>
        string.Join(", ", ColumnAssignments.Where(c => columns.HasFlag(c.Column)).Select(c => c.Assignment));

    public static DbCommand Bind(this DbCommand command, NodeRecord node) => command
        .With("@machine_key", node.MachineKey.ToString())
        .With("@node_key", node.NodeKey.ToString())
        .With("@disco_key", node.DiscoKey.IsZero ? null : node.DiscoKey.ToString())
        .With("@hostname", node.Hostname)
        .With("@given_name", node.GivenName)
        .With("@user_id", node.UserId)
        .With("@tags", SqlValues.ToJson(node.Tags.IsDefault ? [] : node.Tags))
        .With("@ipv4", node.IPv4?.ToString())
        .With("@ipv6", node.IPv6?.ToString())
        .With("@endpoints", SqlValues.ToJson(Texts(node.Endpoints)))
        .With("@hostinfo", node.HostinfoJson)
        .With("@approved_routes", SqlValues.ToJson(Texts(node.ApprovedRoutes)))
        .With("@key_expiry", SqlValues.ToDb(node.KeyExpiry))
        .With("@created_at", SqlValues.ToDb(node.CreatedAt))
        .With("@updated_at", SqlValues.ToDb(node.UpdatedAt))
        .With("@last_seen", SqlValues.ToDb(node.LastSeen))
        .With("@ephemeral", node.Ephemeral)
        .With("@auth_key_id", node.AuthKeyId)
        .With("@register_method", NodeRegisterMethods.ToText(node.RegisterMethod));

    public static NodeRecord Map(DbDataReader r) => new()
    {
        Id = r.GetInt64(0),
        MachineKey = MachinePublic.Parse(r.GetString(1)),
        NodeKey = NodePublic.Parse(r.GetString(2)),
        DiscoKey = r.IsDBNull(3) ? DiscoPublic.Zero : DiscoPublic.Parse(r.GetString(3)),
        Hostname = r.GetString(4),
        GivenName = r.GetString(5),
        UserId = SqlValues.OptionalInt64(r, 6),
        Tags = SqlValues.StringList(r, 7),
        IPv4 = r.IsDBNull(8) ? null : IPAddress.Parse(r.GetString(8)),
        IPv6 = r.IsDBNull(9) ? null : IPAddress.Parse(r.GetString(9)),
        Endpoints = [.. SqlValues.StringList(r, 10).Select(e => IPEndPoint.Parse(e))],
        HostinfoJson = SqlValues.OptionalString(r, 11),
        ApprovedRoutes = [.. SqlValues.StringList(r, 12).Select(p => IPNetwork.Parse(p))],
        KeyExpiry = SqlValues.OptionalTime(r, 13),
        CreatedAt = SqlValues.Time(r, 14),
        UpdatedAt = SqlValues.Time(r, 15),
        LastSeen = SqlValues.OptionalTime(r, 16),
        Ephemeral = SqlValues.Flag(r, 17),
        AuthKeyId = SqlValues.OptionalInt64(r, 18),
        RegisterMethod = NodeRegisterMethods.Parse(r.GetString(19)),
    };

    private static IEnumerable<string> Texts<T>(ImmutableArray<T> values)
        where T : notnull =>
        values.IsDefault ? [] : values.Select(v => v.ToString()!);
}
