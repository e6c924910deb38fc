using Appliance.Protocol.Control;
using Appliance.State.Coordinator;
using Appliance.State.Policy;

namespace Appliance.State.Tests.Coordinator;

/// <summary>One change under a policy reaches every stream that may see the node (each stream's delta is personal).</summary>
public sealed class PolicyFanOutTests
{
    private const int N = 30;

    [Fact]
    public async Task Under_a_policy_one_endpoint_change_reaches_every_stream_that_sees_the_node()
    {
        using var f = new CoordinatorFixture();
        var nodes = Enumerable.Range(0, N).Select(i => f.Register("n" + i)).ToList();
        Assert.True(f.Coordinator.ApplyPolicy(new PolicySource(
            """{ "acls": [ { "action": "accept", "src": ["autogroup:member"], "dst": ["autogroup:member:443"] } ] }""", "test", null, "")).Applied);
        var handles = new List<MapStreamHandle>();
        var probes = new List<StreamProbe>();
        foreach (var entry in f.Coordinator.Snapshot.Nodes.Values.Skip(1))
        {
            var handle = f.Coordinator.Connect(entry.Id, zstd: true);
            handles.Add(handle);
            var probe = new StreamProbe(handle.Session);
            probes.Add(probe);
            Assert.Equal(N - 1, (await probe.Next(5000))!.Peers!.Count);
        }

        foreach (var probe in probes)
        {
            while (await probe.Next(100) is not null)
            {
            }
        }

        var sender = nodes[0];
        f.Coordinator.ApplyMapRequest(sender.Machine, new MapRequest { Version = 133, NodeKey = sender.Node, Endpoints = ["203.0.113.1:1"] });

        foreach (var probe in probes)
        {
            var delta = await probe.Next(5000);
            Assert.NotNull(delta);
            Assert.Single(delta.PeersChangedPatch!);
            await probe.DisposeAsync();
        }

        foreach (var handle in handles)
        {
            handle.Dispose();
        }
    }
}
