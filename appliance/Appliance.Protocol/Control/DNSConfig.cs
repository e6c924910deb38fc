using System.Text.Json.Serialization;

namespace Appliance.Protocol.Control;

/// <summary>
/// tailcfg.DNSConfig (docs/wire/control.md "DNSConfig and MagicDNS"). <see cref="Proxied"/> = MagicDNS on. A split-DNS route with an empty
/// resolver list is answered locally by 100.100.100.100.
/// </summary>
public sealed record DNSConfig
{
    public IReadOnlyList<DnsResolver>? Resolvers { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyList<DnsResolver>>? Routes { get; init; }

    public IReadOnlyList<DnsResolver>? FallbackResolvers { get; init; }

    public IReadOnlyList<string>? Domains { get; init; }

    public bool Proxied { get; init; }

    public IReadOnlyList<string>? Nameservers { get; init; }

    public IReadOnlyList<string>? CertDomains { get; init; }

    public IReadOnlyList<DNSRecord>? ExtraRecords { get; init; }
}

/// <summary>dnstype.Resolver: an IP, IP:port or DoH URL.</summary>
public sealed record DnsResolver
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Addr { get; init; } = "";

    public IReadOnlyList<string>? BootstrapResolution { get; init; }

    public bool UseWithExitNode { get; init; }
}

/// <summary>tailcfg.DNSRecord: an extra record served by MagicDNS. Type "" means A or AAAA by the value.</summary>
public sealed record DNSRecord
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Name { get; init; } = "";

    public string? Type { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Value { get; init; } = "";
}
