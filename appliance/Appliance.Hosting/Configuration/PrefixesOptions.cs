namespace Appliance.Hosting.Configuration;

/// <summary>The `prefixes:` section: the tailnet address ranges nodes get addresses from.</summary>
public sealed class PrefixesOptions
{
    /// <summary>IPv4 range in CIDR form, inside 100.64.0.0/10 (CGNAT, what clients route). Default 100.64.0.0/10.</summary>
    public string V4 { get; set; } = "100.64.0.0/10";

    /// <summary>IPv6 range in CIDR form, inside fd7a:115c:a1e0::/48 (Tailscale's ULA). Default fd7a:115c:a1e0::/48.</summary>
    public string V6 { get; set; } = "fd7a:115c:a1e0::/48";

    /// <summary>How addresses are picked: sequential or random. Default sequential.</summary>
    public IpAllocation Allocation { get; set; } = IpAllocation.Sequential;
}

/// <summary>Address allocation strategy.</summary>
public enum IpAllocation
{
    Sequential,
    Random,
}
