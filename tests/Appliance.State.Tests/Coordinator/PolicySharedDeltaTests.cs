using System.Runtime.InteropServices;
using Appliance.Protocol.Control;
using Appliance.State.Coordinator;
using Appliance.State.Policy;

namespace Appliance.State.Tests.Coordinator;

/// <summary>
/// Under a policy, idle streams of one policy class that a change does not name get the same delta, so the hub
/// encodes it once for all of them (decision 0107), as it does without a policy.
/// </summary>
public sealed class PolicySharedDeltaTests
{
    [Fact]
    public async Task Streams_of_one_policy_class_share_one_encoding_for_a_change_and_for_a_join()
    {
        using var f = new CoordinatorFixture();
        var a = f.Register("a");
        f.Register("b");
        var c = f.Register("c");
        var d = f.Register("d");
        Assert.True(f.Coordinator.ApplyPolicy(new PolicySource(
            """{"acls":[{"action":"accept","src":["*"],"dst":["*:*"]}]}""", "test", null, "")).Applied);
        using var ha = f.Coordinator.Connect(f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id, zstd: true);
        using var hc = f.Coordinator.Connect(f.Coordinator.Snapshot.FindByNodeKey(c.Node)!.Id, zstd: true);
        await using var ra = ha.Session.ReadAllAsync(CancellationToken.None).GetAsyncEnumerator();
        await using var rc = hc.Session.ReadAllAsync(CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await ra.MoveNextAsync()); // full maps
        Assert.True(await rc.MoveNextAsync());

        var nextA = ra.MoveNextAsync().AsTask(); // both idle now
        var nextC = rc.MoveNextAsync().AsTask();
        f.Coordinator.ApplyMapRequest(d.Machine, new MapRequest { NodeKey = d.Node, Endpoints = ["192.0.2.4:4"] });
        Assert.True(await nextA);
        Assert.True(await nextC);
        Assert.True(MemoryMarshal.TryGetArray(ra.Current, out var changeA));
        Assert.True(MemoryMarshal.TryGetArray(rc.Current, out var changeC));
        Assert.Same(changeA.Array, changeC.Array);

        // A join changes every view (one more peer): both streams' classes moved the same way, so still one encoding.
        nextA = ra.MoveNextAsync().AsTask();
        nextC = rc.MoveNextAsync().AsTask();
        f.Register("e");
        Assert.True(await nextA);
        Assert.True(await nextC);
        Assert.True(MemoryMarshal.TryGetArray(ra.Current, out var joinA));
        Assert.True(MemoryMarshal.TryGetArray(rc.Current, out var joinC));
        Assert.Same(joinA.Array, joinC.Array);
        Assert.NotSame(changeA.Array, joinA.Array);
    }
}
