namespace Appliance.State.Tests.Coordinator;

/// <summary>Presence is a per-node stream count (issue 16: it used to scan every session on each connect).</summary>
public sealed class PresenceCountTests
{
    [Fact]
    public void A_node_with_two_streams_stays_online_until_its_last_stream_ends()
    {
        using var f = new CoordinatorFixture();
        var a = f.Register("a");
        f.Register("b");
        var aId = f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id;
        Assert.False(f.Coordinator.IsOnline(aId));

        var first = f.Coordinator.Connect(aId, zstd: true);
        var second = f.Coordinator.Connect(aId, zstd: false);
        Assert.True(f.Coordinator.IsOnline(aId));
        Assert.True(f.Coordinator.Snapshot.Find(aId)!.Online);

        first.Dispose();
        Assert.True(f.Coordinator.IsOnline(aId));
        Assert.True(f.Coordinator.Snapshot.Find(aId)!.Online);

        second.Dispose();
        Assert.False(f.Coordinator.IsOnline(aId));
        Assert.False(f.Coordinator.Snapshot.Find(aId)!.Online);

        // Disposing again changes nothing: the count never goes below zero or comes back.
        second.Dispose();
        Assert.False(f.Coordinator.IsOnline(aId));
        using var third = f.Coordinator.Connect(aId, zstd: true);
        Assert.True(f.Coordinator.IsOnline(aId));
    }
}
