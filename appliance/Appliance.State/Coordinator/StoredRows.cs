using Appliance.State.Identity;
using Appliance.State.Nodes;
using Stored = Appliance.Storage.Stores;

namespace Appliance.State.Coordinator;

/// <summary>
/// The one place State translates between Storage's rows and its own types, so nothing above the repositories (the
/// snapshot, commands, the operator's views, IdentityService's results) carries a Storage type. A field added to a
/// row is added here too. Storage's types are named through the <c>Stored</c> alias: several share a name with the
/// State type they become (WriteResult, NodeColumns, PreAuthKeyUse).
/// </summary>
internal static class StoredRows
{
    public static TailnetNode ToTailnet(this Stored.NodeRecord row) => new()
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

    public static Stored.NodeRecord ToRow(this TailnetNode node) => new()
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

    public static RegistrationMethod ToTailnet(this Stored.NodeRegisterMethod method) => method switch
    {
        Stored.NodeRegisterMethod.AuthKey => RegistrationMethod.AuthKey,
        Stored.NodeRegisterMethod.Interactive => RegistrationMethod.Interactive,
        Stored.NodeRegisterMethod.Cli => RegistrationMethod.Cli,
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown register method"),
    };

    public static Stored.NodeRegisterMethod ToRow(this RegistrationMethod method) => method switch
    {
        RegistrationMethod.AuthKey => Stored.NodeRegisterMethod.AuthKey,
        RegistrationMethod.Interactive => Stored.NodeRegisterMethod.Interactive,
        RegistrationMethod.Cli => Stored.NodeRegisterMethod.Cli,
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown register method"),
    };

    /// <summary>The method's text as the `nodes.register_method` column keeps it (what events name, too).</summary>
    public static string ToText(this RegistrationMethod method) => Stored.NodeRegisterMethods.ToText(method.ToRow());

    public static TailnetUser ToTailnet(this Stored.UserRecord row) =>
        new(row.Id, row.Name, row.DisplayName, row.Email, row.CreatedAt) { Role = row.Role, Groups = row.Groups, Disabled = row.Disabled };

    public static TailnetUser? ToTailnetOrNull(this Stored.UserRecord? row) => row?.ToTailnet();

    public static PreAuthKey ToTailnet(this Stored.PreAuthKeyRecord row) =>
        new(row.Id, row.Prefix, row.UserId, row.Tags, row.Reusable, row.Ephemeral, row.UsedCount, row.ExpiresAt, row.CreatedAt, row.RevokedAt);

    public static ApiKey ToTailnet(this Stored.ApiKeyRecord row) => new(row.Id, row.Prefix, row.CreatedAt, row.ExpiresAt, row.LastUsedAt);

    public static PreAuthKeyUse ToTailnet(this Stored.PreAuthKeyUse use) => new(use.Check.ToTailnet(), use.Key?.ToTailnet());

    public static PreAuthKeyCheck ToTailnet(this Stored.PreAuthKeyCheck check) => check switch
    {
        Stored.PreAuthKeyCheck.Valid => PreAuthKeyCheck.Valid,
        Stored.PreAuthKeyCheck.NotFound => PreAuthKeyCheck.NotFound,
        Stored.PreAuthKeyCheck.Expired => PreAuthKeyCheck.Expired,
        Stored.PreAuthKeyCheck.AlreadyUsed => PreAuthKeyCheck.AlreadyUsed,
        Stored.PreAuthKeyCheck.Revoked => PreAuthKeyCheck.Revoked,
        _ => throw new ArgumentOutOfRangeException(nameof(check), check, "unknown pre-auth key check"),
    };

    public static ApiKeyCheck ToTailnet(this Stored.ApiKeyCheck check) => check switch
    {
        Stored.ApiKeyCheck.Valid => ApiKeyCheck.Valid,
        Stored.ApiKeyCheck.NotFound => ApiKeyCheck.NotFound,
        Stored.ApiKeyCheck.Expired => ApiKeyCheck.Expired,
        _ => throw new ArgumentOutOfRangeException(nameof(check), check, "unknown API key check"),
    };

    /// <summary>The same bits: <see cref="NodeColumns"/> mirrors Storage's mask value for value (a test holds them to it).</summary>
    public static Stored.NodeColumns ToRow(this NodeColumns columns) => (Stored.NodeColumns)(int)columns;

    public static WriteStatus ToTailnet(this Stored.WriteStatus status) => status switch
    {
        Stored.WriteStatus.Ok => WriteStatus.Ok,
        Stored.WriteStatus.NotFound => WriteStatus.NotFound,
        Stored.WriteStatus.Conflict => WriteStatus.Conflict,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "unknown write status"),
    };

    public static WriteResult<TailnetNode> ToTailnet(this Stored.WriteResult<Stored.NodeRecord> result) =>
        new(result.Status.ToTailnet(), result.Row?.ToTailnet());

    public static WriteResult<TailnetUser> ToTailnet(this Stored.WriteResult<Stored.UserRecord> result) =>
        new(result.Status.ToTailnet(), result.Row?.ToTailnet());

    public static WriteResult<PreAuthKey> ToTailnet(this Stored.WriteResult<Stored.PreAuthKeyRecord> result) =>
        new(result.Status.ToTailnet(), result.Row?.ToTailnet());

    public static WriteResult<ApiKey> ToTailnet(this Stored.WriteResult<Stored.ApiKeyRecord> result) =>
        new(result.Status.ToTailnet(), result.Row?.ToTailnet());
}
