using Appliance.State.Identity;
using Appliance.State.Nodes;
using Appliance.Storage.Stores;

namespace Appliance.State.Coordinator;

/// <summary>
/// The one place State translates between Storage's rows and its own types, so nothing above the repositories (the
/// snapshot, commands, the operator's views) carries a Storage type. A field added to a row is added here too.
/// </summary>
internal static class StoredRows
{
    public static TailnetNode ToTailnet(this NodeRecord row) => new()
    {
        Id = row.Id,
        MachineKey = row.MachineKey,
        NodeKey = row.NodeKey,
        DiscoKey = row.DiscoKey,
        Hostname = row.Hostname,
        GivenName = row.GivenName,
        UserId = row.UserId,
        Tags = row.Tags,
        IPv4 = row.IPv4,
        IPv6 = row.IPv6,
        Endpoints = row.Endpoints,
        HostinfoJson = row.HostinfoJson,
        ApprovedRoutes = row.ApprovedRoutes,
        KeyExpiry = row.KeyExpiry,
        CreatedAt = row.CreatedAt,
        UpdatedAt = row.UpdatedAt,
        LastSeen = row.LastSeen,
        Ephemeral = row.Ephemeral,
        AuthKeyId = row.AuthKeyId,
        RegisterMethod = row.RegisterMethod.ToTailnet(),
    };

    public static NodeRecord ToRow(this TailnetNode node) => new()
    {
        Id = node.Id,
        MachineKey = node.MachineKey,
        NodeKey = node.NodeKey,
        DiscoKey = node.DiscoKey,
        Hostname = node.Hostname,
        GivenName = node.GivenName,
        UserId = node.UserId,
        Tags = node.Tags,
        IPv4 = node.IPv4,
        IPv6 = node.IPv6,
        Endpoints = node.Endpoints,
        HostinfoJson = node.HostinfoJson,
        ApprovedRoutes = node.ApprovedRoutes,
        KeyExpiry = node.KeyExpiry,
        CreatedAt = node.CreatedAt,
        UpdatedAt = node.UpdatedAt,
        LastSeen = node.LastSeen,
        Ephemeral = node.Ephemeral,
        AuthKeyId = node.AuthKeyId,
        RegisterMethod = node.RegisterMethod.ToRow(),
    };

    public static RegistrationMethod ToTailnet(this NodeRegisterMethod method) => method switch
    {
        NodeRegisterMethod.AuthKey => RegistrationMethod.AuthKey,
        NodeRegisterMethod.Interactive => RegistrationMethod.Interactive,
        NodeRegisterMethod.Cli => RegistrationMethod.Cli,
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown register method"),
    };

    public static NodeRegisterMethod ToRow(this RegistrationMethod method) => method switch
    {
        RegistrationMethod.AuthKey => NodeRegisterMethod.AuthKey,
        RegistrationMethod.Interactive => NodeRegisterMethod.Interactive,
        RegistrationMethod.Cli => NodeRegisterMethod.Cli,
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown register method"),
    };

    public static TailnetUser ToTailnet(this UserRecord row) =>
        new(row.Id, row.Name, row.DisplayName, row.Email, row.CreatedAt) { Role = row.Role, Groups = row.Groups, Disabled = row.Disabled };

    public static TailnetUser? ToTailnetOrNull(this UserRecord? row) => row?.ToTailnet();

    public static WriteResult<TailnetNode> ToTailnet(this WriteResult<NodeRecord> result) => new(result.Status, result.Row?.ToTailnet());

    public static WriteResult<TailnetUser> ToTailnet(this WriteResult<UserRecord> result) => new(result.Status, result.Row?.ToTailnet());
}
