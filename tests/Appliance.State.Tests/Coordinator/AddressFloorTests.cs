using System.Collections.Immutable;
using System.Net;
using Appliance.State.Coordinator;

namespace Appliance.State.Tests.Coordinator;

/// <summary>
/// Sequential allocation resumes from where the last scan stopped while the address set is the one it left
/// (issue 16: the scan from the bottom was O(N) per registration), and stays "lowest free first" when a node
/// gives an address back.
/// </summary>
public sealed class AddressFloorTests
{
    [Fact]
    public void A_scan_from_a_floor_skips_what_is_below_it_and_moves_the_floor()
    {
        var prefix = IPNetwork.Parse("100.64.0.0/10");
        var used = ImmutableHashSet.Create(IPAddress.Parse("100.64.0.1"), IPAddress.Parse("100.64.0.2"), IPAddress.Parse("100.64.0.4"));
        var floor = UInt128.One;

        Assert.Equal(IPAddress.Parse("100.64.0.3"), IpAllocator.Next(prefix, used, ref floor));
        Assert.Equal((UInt128)3, floor);
        Assert.Equal(IPAddress.Parse("100.64.0.5"), IpAllocator.Next(prefix, used.Add(IPAddress.Parse("100.64.0.3")), ref floor));
        Assert.Equal((UInt128)5, floor);
    }

    [Fact]
    public void A_full_prefix_leaves_the_floor_past_the_end()
    {
        var used = new HashSet<IPAddress> { IPAddress.Parse("100.64.0.1"), IPAddress.Parse("100.64.0.2") };
        var floor = UInt128.One;
        Assert.Null(IpAllocator.Next(IPNetwork.Parse("100.64.0.0/30"), used, ref floor));
        Assert.Null(IpAllocator.Next(IPNetwork.Parse("100.64.0.0/30"), used, ref floor));
    }

    [Fact]
    public void Registrations_take_consecutive_addresses_and_a_freed_one_is_taken_first()
    {
        using var f = new CoordinatorFixture();
        var nodes = Enumerable.Range(0, 4).Select(i => f.Register("n" + i).Outcome.Node!).ToList();
        Assert.Equal(["100.64.0.1", "100.64.0.2", "100.64.0.3", "100.64.0.4"], nodes.Select(n => n.Record.IPv4!.ToString()));

        // An endpoint change keeps the address set as it is: the next registration carries on from the floor.
        var second = f.Coordinator.Snapshot.Find(nodes[1].Id)!;
        f.Coordinator.ApplyMapRequest(second.Record.MachineKey, new Appliance.Protocol.Control.MapRequest { Version = 133, NodeKey = second.Record.NodeKey, Endpoints = ["192.0.2.1:1"] });
        Assert.Equal("100.64.0.5", f.Register("n4").Outcome.Node!.Record.IPv4!.ToString());

        Assert.True(f.Coordinator.DeleteNode(nodes[1].Id).IsOk);
        var reused = f.Register("n5").Outcome.Node!;
        Assert.Equal("100.64.0.2", reused.Record.IPv4!.ToString());
        Assert.Equal(nodes[1].Record.IPv6, reused.Record.IPv6);
        Assert.Equal("100.64.0.6", f.Register("n6").Outcome.Node!.Record.IPv4!.ToString());
    }
}
