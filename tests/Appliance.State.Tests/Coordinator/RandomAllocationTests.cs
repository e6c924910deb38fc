using System.Net;
using Appliance.State.Coordinator;

namespace Appliance.State.Tests.Coordinator;

/// <summary><c>prefixes.allocation: random</c>: random free addresses, never shared, never reserved, never lost when the prefix fills.</summary>
public sealed class RandomAllocationTests
{
    [Fact]
    public void Random_allocation_fills_a_small_prefix_with_every_host_address_exactly_once_then_reports_it_full()
    {
        // 100.100.100.96/28: .96 is the network, .111 the broadcast, .100 the MagicDNS resolver → 13 usable.
        var prefix = IPNetwork.Parse("100.100.100.96/28");
        var used = new HashSet<IPAddress>();
        var order = new List<IPAddress>();
        var random = new Random(7);
        while (IpAllocator.Random(prefix, used, random) is { } address)
        {
            Assert.True(used.Add(address), $"{address} was handed out twice");
            order.Add(address);
        }

        var expected = Enumerable.Range(97, 14).Where(i => i != 100).Select(i => IPAddress.Parse($"100.100.100.{i}")).ToHashSet();
        Assert.Equal(expected, used);
        Assert.NotEqual(order.OrderBy(a => a.GetAddressBytes()[3]).ToList(), order);
    }

    [Fact]
    public void Random_allocation_spreads_over_a_large_prefix_and_skips_the_network_address()
    {
        var random = new Random(11);
        var v4 = IPNetwork.Parse("100.64.0.0/10");
        var v6 = IPNetwork.Parse("fd7a:115c:a1e0::/48");
        var used = new HashSet<IPAddress>();
        for (var i = 0; i < 500; i++)
        {
            var a4 = IpAllocator.Random(v4, used, random)!;
            var a6 = IpAllocator.Random(v6, used, random)!;
            Assert.True(v4.Contains(a4) && v6.Contains(a6));
            Assert.False(IpAllocator.IsReserved(a4) || IpAllocator.IsReserved(a6));
            Assert.NotEqual(v4.BaseAddress, a4);
            Assert.NotEqual(v6.BaseAddress, a6);
            Assert.True(used.Add(a4) && used.Add(a6));
        }

        // Sequential would have used 100.64.0.1 - 100.64.1.244; random draws land across the /10.
        Assert.True(used.Count(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && a.GetAddressBytes()[1] != 64) > 300);
    }

    [Fact]
    public void When_draws_keep_missing_the_scan_finds_the_last_free_address()
    {
        var prefix = IPNetwork.Parse("10.0.0.0/24");
        var used = Enumerable.Range(1, 254).Where(i => i != 200).Select(i => IPAddress.Parse($"10.0.0.{i}")).ToHashSet();
        Assert.Equal(IPAddress.Parse("10.0.0.200"), IpAllocator.Random(prefix, used, new AlwaysSame(0x05)));
        used.Add(IPAddress.Parse("10.0.0.200"));
        Assert.Null(IpAllocator.Random(prefix, used, new AlwaysSame(0x05)));
    }

    [Fact]
    public void The_coordinator_allocates_at_random_when_configured_and_sequentially_by_default()
    {
        using var sequential = new CoordinatorFixture();
        sequential.Register("a");
        Assert.Equal(IPAddress.Parse("100.64.0.1"), Assert.Single(sequential.Coordinator.Snapshot.Nodes).Value.Record.IPv4);

        using var f = new CoordinatorFixture(configure: o =>
        {
            o.Allocation = AddressAllocation.Random;
            o.AllocationRandom = new Random(3);
        });
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(RegisterStatus.Ok, f.Register("n" + i).Outcome.Status);
        }

        var records = f.Coordinator.Snapshot.Nodes.Values.Select(n => n.Record).ToList();
        Assert.Equal(20, records.Select(r => r.IPv4).Distinct().Count());
        Assert.Equal(20, records.Select(r => r.IPv6).Distinct().Count());
        Assert.All(records, r => Assert.True(f.Options.PrefixV4.Contains(r.IPv4!) && f.Options.PrefixV6.Contains(r.IPv6!)));
        Assert.NotEqual(Enumerable.Range(1, 20).Select(i => $"100.64.0.{i}"), records.Select(r => r.IPv4!.ToString()));
        Assert.Equal(records.Select(r => r.IPv4).ToHashSet(), f.Repository.LoadAll().Select(r => r.IPv4).ToHashSet());
    }

    /// <summary>A "random" source that always yields the same byte: every draw hits the same (used) address.</summary>
    private sealed class AlwaysSame(byte value) : Random
    {
        public override void NextBytes(byte[] buffer) => Array.Fill(buffer, value);

        public override void NextBytes(Span<byte> buffer) => buffer.Fill(value);
    }
}
