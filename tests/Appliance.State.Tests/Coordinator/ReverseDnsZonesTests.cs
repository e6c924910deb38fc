using System.Net;
using Appliance.State.Coordinator;

namespace Appliance.State.Tests.Coordinator;

public sealed class ReverseDnsZonesTests
{
    [Fact]
    public void The_default_prefixes_give_the_zones_headscale_sent_a_real_client()
    {
        // 64 IPv4 zones and one IPv6 zone, as in shared/conformance/real-client/http2/session-*.json DNSConfig.Routes.
        var v4 = ReverseDnsZones.For(IPNetwork.Parse("100.64.0.0/10"));
        Assert.Equal(64, v4.Count);
        Assert.Equal("64.100.in-addr.arpa", v4[0]);
        Assert.Equal("127.100.in-addr.arpa", v4[^1]);
        Assert.Equal(["0.e.1.a.c.5.1.1.a.7.d.f.ip6.arpa"], ReverseDnsZones.For(IPNetwork.Parse("fd7a:115c:a1e0::/48")));
    }

    [Theory]
    [InlineData("10.20.0.0/16", "20.10.in-addr.arpa")]
    [InlineData("10.0.0.0/8", "10.in-addr.arpa")]
    [InlineData("192.168.7.0/24", "7.168.192.in-addr.arpa")]
    public void A_prefix_on_an_octet_boundary_is_one_zone(string prefix, string zone) =>
        Assert.Equal([zone], ReverseDnsZones.For(IPNetwork.Parse(prefix)));

    [Fact]
    public void A_prefix_inside_an_octet_or_nibble_enumerates_that_label()
    {
        Assert.Equal(["4.3.2.1.in-addr.arpa", "5.3.2.1.in-addr.arpa", "6.3.2.1.in-addr.arpa", "7.3.2.1.in-addr.arpa"], ReverseDnsZones.For(IPNetwork.Parse("1.2.3.4/30")));
        Assert.Equal(["8.f.ip6.arpa", "9.f.ip6.arpa", "a.f.ip6.arpa", "b.f.ip6.arpa"], ReverseDnsZones.For(IPNetwork.Parse("f800::/6")));
    }

    [Fact]
    public void MagicDns_routes_reverse_zones_to_itself_and_split_dns_for_the_same_zone_wins()
    {
        var dns = new DnsSettings
        {
            MagicDns = true,
            BaseDomain = "tailnet.internal",
            SplitDns = new Dictionary<string, IReadOnlyList<string>> { ["64.100.in-addr.arpa"] = ["10.0.0.53"] },
        };
        var config = DnsConfigBuilder.Build(dns, IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("fd7a:115c:a1e0::/48"));
        Assert.Equal(65, config.Routes!.Count);
        Assert.Empty(config.Routes["65.100.in-addr.arpa"]);
        Assert.Equal("10.0.0.53", Assert.Single(config.Routes["64.100.in-addr.arpa"]).Addr);

        var off = DnsConfigBuilder.Build(new DnsSettings { MagicDns = false }, IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("fd7a:115c:a1e0::/48"));
        Assert.Null(off.Routes);
    }
}
