using System.Net;
using Appliance.Hosting.Configuration;
using Appliance.Protocol.Control;
using Appliance.State.Coordinator;

namespace Appliance.Hosting.Control;

/// <summary>
/// Maps the YAML sections the control plane reads (server.server_url, prefixes:, nodes:, dns:) into the
/// coordinator's <see cref="CoordinatorOptions"/>, so Appliance.State never sees configuration types.
/// </summary>
public static class ControlOptionsMapping
{
    /// <summary>
    /// The cap on nodes.change_coalesce: the longest a new node's registration waits to reach its peers together with
    /// its stream connect (<see cref="CoordinatorOptions.CoalesceWindow"/>); every other change goes to idle streams
    /// at once. Files with a larger value (up to the validator's 10 s) keep loading.
    /// </summary>
    public static readonly TimeSpan MaxCoalesceWindow = TimeSpan.FromMilliseconds(250);

    public static CoordinatorOptions ToCoordinatorOptions(ApplianceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var nodes = options.Nodes;
        var dns = options.Dns;
        return new CoordinatorOptions
        {
            ServerUrl = new Uri(options.Server.ServerUrl, UriKind.Absolute),
            PrefixV4 = IPNetwork.Parse(options.Prefixes.V4),
            PrefixV6 = IPNetwork.Parse(options.Prefixes.V6),
            Allocation = options.Prefixes.Allocation == IpAllocation.Random ? AddressAllocation.Random : AddressAllocation.Sequential,
            CoalesceWindow = nodes.ChangeCoalesce > MaxCoalesceWindow ? MaxCoalesceWindow : nodes.ChangeCoalesce,
            EphemeralInactivityTimeout = nodes.EphemeralInactivityTimeout,
            NodeKeyExpiry = nodes.KeyExpiry == TimeSpan.Zero ? null : nodes.KeyExpiry,
            Dns = new DnsSettings
            {
                MagicDns = dns.MagicDns,
                BaseDomain = dns.BaseDomain,
                Nameservers = [.. dns.Nameservers],
                SplitDns = dns.SplitDns.ToDictionary(
                    pair => pair.Key, pair => (IReadOnlyList<string>)[.. pair.Value], StringComparer.OrdinalIgnoreCase),
                SearchDomains = [.. dns.SearchDomains],
                ExtraRecords = [.. dns.ExtraRecords.Select(r => new DNSRecord { Name = r.Name, Type = r.Type, Value = r.Value })],
            },
        };
    }
}
