using Appliance.State.Nodes;

namespace Appliance.State.Coordinator;

/// <summary>Copies the named <see cref="NodeColumns"/> from one record onto another: the in-memory twin of a column-scoped UPDATE.</summary>
internal static class NodeColumnCopy
{
    public static TailnetNode Copy(TailnetNode from, TailnetNode onto, NodeColumns columns) => onto with
    {
        NodeKey = columns.HasFlag(NodeColumns.NodeKey) ? from.NodeKey : onto.NodeKey,
        DiscoKey = columns.HasFlag(NodeColumns.DiscoKey) ? from.DiscoKey : onto.DiscoKey,
        Hostname = columns.HasFlag(NodeColumns.Hostname) ? from.Hostname : onto.Hostname,
        GivenName = columns.HasFlag(NodeColumns.GivenName) ? from.GivenName : onto.GivenName,
        UserId = columns.HasFlag(NodeColumns.UserId) ? from.UserId : onto.UserId,
        Tags = columns.HasFlag(NodeColumns.Tags) ? from.Tags : onto.Tags,
        Endpoints = columns.HasFlag(NodeColumns.Endpoints) ? from.Endpoints : onto.Endpoints,
        HostinfoJson = columns.HasFlag(NodeColumns.Hostinfo) ? from.HostinfoJson : onto.HostinfoJson,
        ApprovedRoutes = columns.HasFlag(NodeColumns.ApprovedRoutes) ? from.ApprovedRoutes : onto.ApprovedRoutes,
        KeyExpiry = columns.HasFlag(NodeColumns.KeyExpiry) ? from.KeyExpiry : onto.KeyExpiry,
        UpdatedAt = columns.HasFlag(NodeColumns.UpdatedAt) ? from.UpdatedAt : onto.UpdatedAt,
        LastSeen = columns.HasFlag(NodeColumns.LastSeen) ? from.LastSeen : onto.LastSeen,
        Ephemeral = columns.HasFlag(NodeColumns.Ephemeral) ? from.Ephemeral : onto.Ephemeral,
        AuthKeyId = columns.HasFlag(NodeColumns.AuthKeyId) ? from.AuthKeyId : onto.AuthKeyId,
        RegisterMethod = columns.HasFlag(NodeColumns.RegisterMethod) ? from.RegisterMethod : onto.RegisterMethod,
    };
}
