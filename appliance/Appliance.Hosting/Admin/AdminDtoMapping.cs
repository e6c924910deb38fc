using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.State.Nodes;
using Appliance.State.Policy;

namespace Appliance.Hosting.Admin;

/// <summary>Records to admin DTOs. Never maps a secret or a hash: only prefixes and public keys leave.</summary>
internal static class AdminDtoMapping
{
    public static UserDto ToDto(this TailnetUser user) => new(user.Id, user.Name, user.DisplayName, user.Email, user.CreatedAt);

    public static PreAuthKeyDto ToDto(this PreAuthKey key, string? userName, DateTimeOffset now) => new(
        key.Id,
        key.Prefix,
        userName,
        [.. key.Tags],
        key.Reusable,
        key.Ephemeral,
        key.UsedCount,
        key.IsExpired(now),
        key.ExpiresAt,
        key.CreatedAt,
        key.RevokedAt);

    public static NodeDto ToDto(this TailnetNode node, string? userName, bool? online, DateTimeOffset now) => new(
        node.Id,
        node.GivenName,
        node.Hostname,
        userName,
        [.. node.Tags],
        [.. new[] { node.IPv4, node.IPv6 }.OfType<System.Net.IPAddress>().Select(a => a.ToString())],
        online,
        node.LastSeen,
        node.KeyExpiry,
        node.IsKeyExpired(now),
        node.Ephemeral,
        node.MachineKey.ToString(),
        node.NodeKey.ToString(),
        node.CreatedAt)
    {
        AdvertisedRoutes = [.. PolicyTopologyBuilder.Advertised(HostinfoOf(node.HostinfoJson)).Select(r => r.ToString())],
        ApprovedRoutes = [.. node.ApprovedRoutes.Select(r => r.ToString())],
    };

    private static Appliance.Protocol.Control.Hostinfo? HostinfoOf(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(json, Appliance.Protocol.Control.ControlJsonContext.Default.Hostinfo);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public static PendingRegistrationDto ToDto(this PendingRegistration pending) => new(
        pending.Id,
        pending.Machine.ToString(),
        pending.Hostname,
        pending.Request.Hostinfo?.OS,
        pending.Request.Ephemeral,
        pending.AuthUrl.ToString(),
        pending.Created,
        pending.Expires);

    public static NodeDto ToDto(this NodeView view, DateTimeOffset now) => view.Node.ToDto(view.UserName, view.Online, now);
}
