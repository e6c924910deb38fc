using System.Collections.Immutable;
using System.Net;
using Appliance.State.Coordinator;

namespace Appliance.State.Tests.Coordinator;

public sealed class PureRulesTests
{
    [Fact]
    public void The_first_addresses_are_the_bottom_of_each_prefix()
    {
        Assert.Equal(IPAddress.Parse("100.64.0.1"), IpAllocator.Next(IPNetwork.Parse("100.64.0.0/10"), ImmutableHashSet<IPAddress>.Empty));
        Assert.Equal(IPAddress.Parse("fd7a:115c:a1e0::1"), IpAllocator.Next(IPNetwork.Parse("fd7a:115c:a1e0::/48"), ImmutableHashSet<IPAddress>.Empty));
    }

    [Fact]
    public void Used_and_reserved_addresses_are_skipped()
    {
        var used = new HashSet<IPAddress> { IPAddress.Parse("100.100.100.98"), IPAddress.Parse("100.100.100.99") };
        Assert.Equal(IPAddress.Parse("100.100.100.101"), IpAllocator.Next(IPNetwork.Parse("100.100.100.96/28"), used.Append(IPAddress.Parse("100.100.100.97")).ToHashSet()));
        Assert.Equal(IPAddress.Parse("100.115.94.0"), IpAllocator.Next(IPNetwork.Parse("100.115.92.0/22"), new HashSet<IPAddress>()));
        Assert.True(IpAllocator.IsReserved(IPAddress.Parse("fd7a:115c:a1e0::53")));
    }

    [Fact]
    public void A_full_prefix_yields_no_address()
    {
        var prefix = IPNetwork.Parse("10.0.0.0/30");
        var used = new HashSet<IPAddress> { IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2") };
        Assert.Null(IpAllocator.Next(prefix, used));
    }

    [Theory]
    [InlineData("node-a", "node-a")]
    [InlineData("My Laptop!!", "my-laptop")]
    [InlineData("host.example.com", "host")]
    [InlineData("---", "node")]
    [InlineData("", "node")]
    [InlineData("ÜberBox_01", "berbox-01")]
    public void Hostnames_become_dns_labels(string hostname, string expected) => Assert.Equal(expected, DnsLabel.Sanitize(hostname));

    [Fact]
    public void Long_hostnames_are_cut_to_63_characters()
    {
        var label = DnsLabel.Sanitize(new string('a', 500));
        Assert.Equal(63, label.Length);
        Assert.True(DnsLabel.IsValid(label));
    }

    [Fact]
    public void Colliding_names_get_numbered_suffixes()
    {
        var taken = new HashSet<string> { "web", "web-1" };
        Assert.Equal("web-2", DnsLabel.Unique("web", taken.Contains));
        Assert.Equal("db", DnsLabel.Unique("db", taken.Contains));
    }

    [Fact]
    public void Options_validation_reports_every_problem()
    {
        var options = new CoordinatorOptions { CoalesceWindow = TimeSpan.FromSeconds(1), KeepAliveInterval = TimeSpan.FromMinutes(5) };
        options.Dns.BaseDomain = "bad_domain";
        Assert.Equal(3, options.Validate().Count);
        Assert.Empty(new CoordinatorOptions().Validate());
    }

    [Fact]
    public void A_derp_map_whose_key_differs_from_its_region_id_is_refused()
    {
        var map = new Appliance.Protocol.Control.DERPMap
        {
            Regions = new Dictionary<int, Appliance.Protocol.Control.DERPRegion> { [900] = new() { RegionID = 901, RegionCode = "x", RegionName = "x" } },
        };
        Assert.NotEmpty(DerpMapValidator.Validate(map));
        Assert.Throws<ArgumentException>(() => new StaticDerpMapProvider(map));
    }
}
