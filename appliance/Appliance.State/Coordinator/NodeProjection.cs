using System.Globalization;
using System.Net;
using System.Text.Json;
using Appliance.Protocol.Control;
using Appliance.State.Nodes;

namespace Appliance.State.Coordinator;

/// <summary>
/// Projects a stored node to its tailcfg.Node (docs/wire/control.md "Node"; tailscale tailcfg/tailcfg.go Node). One form serves self and peers: both carry
/// MachineAuthorized=true, as headscale's do. Tagged nodes belong to the synthetic "tagged-devices" user.
/// </summary>
public static class NodeProjection
{
    /// <summary>The user id tagged nodes report (headscale's TaggedDevices.ID), so clients show "tagged-devices".</summary>
    public const long TaggedDevicesUserId = 2147455555;

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> DefaultCapMap =
        new Dictionary<string, IReadOnlyList<JsonElement>>(StringComparer.Ordinal)
        {
            ["https://tailscale.com/cap/file-sharing"] = [],
            ["https://tailscale.com/cap/ssh"] = [],
        };

    public static Node Project(TailnetNode record, Hostinfo? hostinfo, bool online, int cap, string baseDomain, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        List<string> addresses = [];
        if (record.IPv4 is not null)
        {
            addresses.Add(record.IPv4 + "/32");
        }

        if (record.IPv6 is not null)
        {
            addresses.Add(record.IPv6 + "/128");
        }

        var routes = ServedRoutes(record, hostinfo).Select(r => r.ToString()).ToList();
        var home = hostinfo?.NetInfo?.PreferredDERP ?? 0;
        var expired = record.IsKeyExpired(now);
        return new Node
        {
            ID = record.Id,
            StableID = record.Id.ToString(CultureInfo.InvariantCulture),
            Name = Fqdn(record.GivenName, baseDomain),
            User = record.UserId ?? TaggedDevicesUserId,
            Key = record.NodeKey,
            KeyExpiry = record.KeyExpiry,
            Machine = record.MachineKey,
            DiscoKey = record.DiscoKey,
            Addresses = addresses,
            AllowedIPs = [.. addresses, .. routes],
            Endpoints = record.Endpoints.IsDefaultOrEmpty ? null : record.Endpoints.Select(e => e.ToString()).ToList(),
            HomeDERP = home,
            LegacyDERPString = "127.3.3.40:" + home.ToString(CultureInfo.InvariantCulture),
            Hostinfo = hostinfo ?? new Hostinfo { Hostname = record.Hostname },
            Created = record.CreatedAt,
            Cap = cap,
            Tags = record.IsTagged ? record.Tags : null,
            PrimaryRoutes = routes.Where(r => r is not "0.0.0.0/0" and not "::/0").ToList() is { Count: > 0 } primary ? primary : null,
            Online = online,
            LastSeen = online ? null : record.LastSeen,
            MachineAuthorized = true,
            CapMap = DefaultCapMap,
            Expired = expired,
        };
    }

    /// <summary>
    /// Routes the node serves without a policy: those it advertises (Hostinfo.RoutableIPs) that an operator
    /// approved. An approval for a route the node no longer advertises is kept but not served. With a policy, the
    /// policy's view (which adds autoApprovers) replaces this per viewer.
    /// </summary>
    public static IReadOnlyList<IPNetwork> ServedRoutes(TailnetNode record, Hostinfo? hostinfo)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.ApprovedRoutes.IsDefaultOrEmpty || hostinfo?.RoutableIPs is not { Count: > 0 } advertised)
        {
            return [];
        }

        var offered = advertised.Select(r => IPNetwork.TryParse(r, out var n) ? n : (IPNetwork?)null).OfType<IPNetwork>().ToHashSet();
        return [.. record.ApprovedRoutes.Where(offered.Contains)];
    }

    public static string Fqdn(string givenName, string baseDomain) => givenName + "." + baseDomain.TrimEnd('.') + ".";
}
