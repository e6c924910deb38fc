using System.Net;
using Appliance.Protocol.Control;

namespace Appliance.State.Coordinator;

/// <summary>
/// DNSConfig from settings (docs/wire/control.md "DNSConfig and MagicDNS"; headscale hscontrol/types/config.go dnsToTailcfgDNS). Built once:
/// it is the same for every node. Proxied = MagicDNS on; Domains = base domain then search domains; with MagicDNS on,
/// Routes also hold the reverse zones of the tailnet prefixes with no resolvers, so MagicDNS answers PTR lookups
/// (<see cref="ReverseDnsZones"/>). A split-DNS entry for the same zone wins.
/// </summary>
public static class DnsConfigBuilder
{
    public static DNSConfig Build(DnsSettings dns, IPNetwork prefixV4, IPNetwork prefixV6)
    {
        ArgumentNullException.ThrowIfNull(dns);
        var domains = new List<string>();
        if (dns.MagicDns)
        {
            domains.Add(dns.BaseDomain.TrimEnd('.'));
        }

        domains.AddRange(dns.SearchDomains.Select(d => d.TrimEnd('.')));
        var routes = dns.SplitDns.ToDictionary(
            kv => kv.Key.TrimEnd('.'),
            kv => (IReadOnlyList<DnsResolver>)kv.Value.Select(r => new DnsResolver { Addr = r }).ToList(),
            StringComparer.Ordinal);
        if (dns.MagicDns)
        {
            foreach (var zone in ReverseDnsZones.For(prefixV4).Concat(ReverseDnsZones.For(prefixV6)))
            {
                routes.TryAdd(zone, []);
            }
        }

        return new DNSConfig
        {
            Resolvers = dns.Nameservers.Count > 0 ? dns.Nameservers.Select(r => new DnsResolver { Addr = r }).ToList() : null,
            Routes = routes.Count > 0 ? routes : null,
            Domains = domains.Count > 0 ? domains : null,
            Proxied = dns.MagicDns,
            ExtraRecords = dns.ExtraRecords.Count > 0 ? dns.ExtraRecords : null,
        };
    }
}
