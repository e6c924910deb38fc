using Appliance.Protocol.Control;
using Appliance.State.Coordinator;
using Appliance.State.Policy;
using Appliance.State.Tests.Coordinator;
using Appliance.TestKit.Control;

namespace Appliance.State.Tests.Routes;

/// <summary>
/// Failover through the coordinator: routers r1 and r2 serve 10.1.0.0/24, client c watches its netmap. The route
/// reaches c only through the primary, and moves in one delta when the primary's stream ends, its key expires or it
/// is deleted; with and without a policy.
/// </summary>
public sealed class RouteFailoverTests
{
    private const string Lan = "10.1.0.0/24";
    private const string AllowAll = """{ "acls": [ { "action": "accept", "src": ["*"], "dst": ["*:*"] } ] }""";

    private sealed class Tailnet : IAsyncDisposable
    {
        private readonly Dictionary<string, MapStreamHandle> _handles = [];
        private readonly List<StreamProbe> _probes = [];

        public Tailnet(string? policy)
        {
            foreach (var name in new[] { "r1", "r2", "c" })
            {
                var registered = F.Register(name);
                Ids[name] = F.Coordinator.Snapshot.FindByNodeKey(registered.Node)!.Id;
                Keys[name] = (registered.Machine, registered.Node);
            }

            foreach (var router in new[] { "r1", "r2" })
            {
                var (machine, node) = Keys[router];
                F.Coordinator.ApplyMapRequest(machine, new MapRequest
                {
                    Version = 133,
                    NodeKey = node,
                    Hostinfo = new Hostinfo { Hostname = router, RoutableIPs = [Lan, "0.0.0.0/0", "::/0"] },
                    OmitPeers = true,
                });
                Assert.True(F.Coordinator.ApproveNodeRoutes(Ids[router], [Lan, "0.0.0.0/0", "::/0"]).IsOk);
            }

            if (policy is not null)
            {
                Assert.True(F.Coordinator.ApplyPolicy(new PolicySource(policy, "test", null, "")).Applied);
            }
        }

        public CoordinatorFixture F { get; } = new();

        public Dictionary<string, long> Ids { get; } = [];

        public Dictionary<string, (Protocol.Keys.MachinePublic Machine, Protocol.Keys.NodePublic Node)> Keys { get; } = [];

        public PeerTable ClientView { get; } = new();

        public StreamProbe? Client { get; private set; }

        public void Connect(string name)
        {
            _handles[name] = F.Coordinator.Connect(Ids[name], zstd: false);
            if (name == "c")
            {
                Client = new StreamProbe(_handles[name].Session);
                _probes.Add(Client);
            }
        }

        public void Disconnect(string name)
        {
            _handles[name].Dispose();
            _ = _handles.Remove(name);
        }

        /// <summary>Applies c's messages until <paramref name="done"/> holds for its netmap; fails after 5 s without a message.</summary>
        public async Task<int> UntilAsync(Func<PeerTable, bool> done)
        {
            var messages = 0;
            while (!done(ClientView))
            {
                var message = await Client!.Next();
                Assert.NotNull(message);
                ClientView.Apply(message);
                messages++;
            }

            return messages;
        }

        /// <summary>Reads whatever c has been sent within <paramref name="ms"/>.</summary>
        public async Task DrainAsync(int ms = 300)
        {
            while (await Client!.Next(ms) is { } message)
            {
                ClientView.Apply(message);
            }
        }

        public bool RoutesVia(string router) =>
            ClientView.Peers.TryGetValue(Ids[router], out var peer)
            && (peer.AllowedIPs ?? []).Contains(Lan) && (peer.PrimaryRoutes ?? []).Contains(Lan);

        public bool Carries(string router) =>
            ClientView.Peers.TryGetValue(Ids[router], out var peer) && ((peer.AllowedIPs ?? []).Contains(Lan) || (peer.PrimaryRoutes ?? []).Contains(Lan));

        public async ValueTask DisposeAsync()
        {
            foreach (var probe in _probes)
            {
                await probe.DisposeAsync();
            }

            foreach (var handle in _handles.Values)
            {
                handle.Dispose();
            }

            F.Dispose();
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(AllowAll)]
    public async Task Peers_get_the_route_only_through_the_primary_and_it_moves_when_the_primary_goes_offline(string? policy)
    {
        await using var t = new Tailnet(policy);
        t.Connect("r1");
        t.Connect("r2");
        t.Connect("c");
        await t.UntilAsync(v => v.Count == 2);
        await t.DrainAsync();
        Assert.True(t.RoutesVia("r1"));
        Assert.False(t.Carries("r2"));
        Assert.Equal(t.Ids["r1"], t.F.Coordinator.Snapshot.PrimaryRoutes.Single().Value);

        t.Disconnect("r1");

        await t.UntilAsync(v => t.RoutesVia("r2") && !t.Carries("r1"));
        Assert.Equal(t.Ids["r2"], t.F.Coordinator.Snapshot.PrimaryRoutes.Single().Value);

        // Both routers keep their exit routes: clients choose exit nodes themselves.
        Assert.Contains("0.0.0.0/0", t.ClientView.Peers[t.Ids["r2"]].AllowedIPs!);
        Assert.Contains("0.0.0.0/0", t.ClientView.Peers[t.Ids["r1"]].AllowedIPs!);
        Assert.DoesNotContain("0.0.0.0/0", t.ClientView.Peers[t.Ids["r2"]].PrimaryRoutes ?? []);
    }

    [Fact]
    public async Task The_route_stays_on_the_new_primary_when_the_old_one_comes_back()
    {
        await using var t = new Tailnet(policy: null);
        t.Connect("r1");
        t.Connect("r2");
        t.Connect("c");
        await t.UntilAsync(v => v.Count == 2 && t.RoutesVia("r1"));
        t.Disconnect("r1");
        await t.UntilAsync(_ => t.RoutesVia("r2"));

        t.Connect("r1");
        await t.UntilAsync(v => v.Peers[t.Ids["r1"]].Online == true);
        await t.DrainAsync();

        Assert.True(t.RoutesVia("r2"));
        Assert.False(t.Carries("r1"));
    }

    [Fact]
    public async Task A_primary_whose_key_is_expired_hands_the_route_over()
    {
        await using var t = new Tailnet(policy: null);
        t.Connect("r1");
        t.Connect("r2");
        t.Connect("c");
        await t.UntilAsync(v => v.Count == 2 && t.RoutesVia("r1"));

        Assert.True(t.F.Coordinator.ExpireNode(t.Ids["r1"]).IsOk);

        await t.UntilAsync(_ => t.RoutesVia("r2") && !t.Carries("r1"));
    }

    [Fact]
    public async Task A_deleted_primary_hands_the_route_over()
    {
        await using var t = new Tailnet(AllowAll);
        t.Connect("r1");
        t.Connect("r2");
        t.Connect("c");
        await t.UntilAsync(v => v.Count == 2 && t.RoutesVia("r1"));

        Assert.True(t.F.Coordinator.DeleteNode(t.Ids["r1"]).IsOk);

        await t.UntilAsync(v => v.Count == 1 && t.RoutesVia("r2"));
    }

    [Fact]
    public void After_a_restart_every_router_is_offline_and_the_lowest_id_keeps_the_route()
    {
        var t = new Tailnet(policy: null);
        t.F.Coordinator.Load();

        Assert.Equal(t.Ids["r1"], t.F.Coordinator.Snapshot.PrimaryRoutes.Single().Value);
        var r2 = t.F.Coordinator.Snapshot.Find(t.Ids["r2"])!;
        Assert.DoesNotContain(Lan, r2.Wire.AllowedIPs!);
        Assert.Contains(Lan, t.F.Coordinator.Snapshot.Find(t.Ids["r1"])!.Wire.PrimaryRoutes!);
        t.F.Dispose();
    }
}
