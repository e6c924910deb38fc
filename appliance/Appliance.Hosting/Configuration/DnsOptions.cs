namespace Appliance.Hosting.Configuration;

/// <summary>The `dns:` section: MagicDNS and the DNS configuration pushed to clients.</summary>
public sealed class DnsOptions
{
    /// <summary>Give every node a name under base_domain. Default true.</summary>
    public bool MagicDns { get; set; } = true;

    /// <summary>Domain for MagicDNS names (node.base_domain). Must be a DNS name and differ from server_url's host. Default tailnet.internal.</summary>
    public string BaseDomain { get; set; } = "tailnet.internal";

    /// <summary>Resolvers for all other names (IP addresses). Default none: an air-gapped site lists its own.</summary>
    public List<string> Nameservers { get; set; } = [];

    /// <summary>Per-domain resolvers: domain → list of resolver IPs. Default none.</summary>
    public Dictionary<string, List<string>> SplitDns { get; set; } = [];

    /// <summary>Extra search domains pushed to clients. Default none.</summary>
    public List<string> SearchDomains { get; set; } = [];

    /// <summary>Extra records served by MagicDNS: a list of {name, type (A or AAAA), value}. Default none.</summary>
    public List<DnsExtraRecord> ExtraRecords { get; set; } = [];
}

/// <summary>One entry of dns.extra_records.</summary>
public sealed class DnsExtraRecord
{
    /// <summary>Fully qualified name, e.g. grafana.tailnet.internal.</summary>
    public string Name { get; set; } = "";

    /// <summary>A or AAAA.</summary>
    public string Type { get; set; } = "A";

    /// <summary>The address, matching type.</summary>
    public string Value { get; set; } = "";
}
