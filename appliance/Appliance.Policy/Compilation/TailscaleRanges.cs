using Appliance.Policy.Net;

namespace Appliance.Policy.Compilation;

/// <summary>
/// Address ranges with fixed meaning in Tailscale (tailscale net/tsaddr/tsaddr.go: CGNATRange,
/// TailscaleULARange, ChromeOSVMRange; headscale hscontrol/util TheInternet).
/// </summary>
public static class TailscaleRanges
{
    public static readonly IPPrefix Cgnat = IPPrefix.Parse("100.64.0.0/10");
    public static readonly IPPrefix Ula = IPPrefix.Parse("fd7a:115c:a1e0::/48");
    public static readonly IPPrefix ChromeOSVM = IPPrefix.Parse("100.115.92.0/23");
    public static readonly IPPrefix AllV4 = IPPrefix.Parse("0.0.0.0/0");
    public static readonly IPPrefix AllV6 = IPPrefix.Parse("::/0");

    /// <summary>What <c>*</c> means as an address set: every address a Tailscale node can have.</summary>
    public static readonly IPSet Wildcard = IPSet.Of(Cgnat, Ula).Except(IPSet.Of(ChromeOSVM));

    public static readonly IPSet Everything = IPSet.Of(AllV4, AllV6);

    /// <summary>
    /// <c>autogroup:internet</c>: public IPv4 (all but RFC 1918, CGNAT and link-local) and global unicast IPv6
    /// (2000::/3), as Tailscale's control plane writes it (the ranges in the captured filters).
    /// </summary>
    public static readonly IPSet Internet = IPSet.Of(AllV4, IPPrefix.Parse("2000::/3")).Except(IPSet.FromPrefixes(
    [
        IPPrefix.Parse("10.0.0.0/8"),
        IPPrefix.Parse("100.64.0.0/10"),
        IPPrefix.Parse("169.254.0.0/16"),
        IPPrefix.Parse("172.16.0.0/12"),
        IPPrefix.Parse("192.168.0.0/16"),
    ]));

    public static bool IsExitRoute(IPPrefix prefix) => prefix.Bits == 0;
}
