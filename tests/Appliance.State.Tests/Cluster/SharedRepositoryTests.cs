using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using Appliance.State.Tests.Coordinator;
using Appliance.Storage.Stores;

namespace Appliance.State.Tests.Cluster;

/// <summary>
/// Two coordinators over one repository, as two appliances over one database: what one commits reaches the other
/// only through its own commands (ApplyStoredNode, ApplyPresence, Reconcile), and a registration that collides with
/// a row the other wrote is decided again against the stored rows instead of failing or taking a used address.
/// </summary>
public sealed class SharedRepositoryTests : IDisposable
{
    private readonly CoordinatorFixture _a = new();
    private readonly ControlCoordinator _b;
    private readonly FakePresence _presenceB = new();

    public SharedRepositoryTests()
    {
        _b = new ControlCoordinator(_a.Options, _a.Repository, _a.Users, _a.Keys, StaticDerpMapProvider.Empty, new AllowAllPacketFilter(), _a.Time);
        _b.AttachCluster(_presenceB, _presenceB);
        _b.Start();
    }

    [Fact]
    public void A_node_registered_on_one_instance_is_published_on_the_other_when_its_change_is_applied()
    {
        var (_, _, outcome) = _a.Register("laptop");
        var id = outcome.Node!.Id;
        Assert.Null(_b.Snapshot.Find(id));

        Assert.True(_b.ApplyStoredNode(id));
        Assert.Equal("laptop", _b.Snapshot.Find(id)!.Record.GivenName);
        Assert.False(_b.ApplyStoredNode(id), "the same row again changes nothing");

        _a.Coordinator.RenameNode(id, "desk");
        Assert.True(_b.ApplyStoredNode(id));
        Assert.Equal("desk", _b.Snapshot.Find(id)!.Record.GivenName);

        _a.Coordinator.DeleteNode(id);
        Assert.True(_b.ApplyStoredNode(id));
        Assert.Null(_b.Snapshot.Find(id));
    }

    [Fact]
    public void A_stream_on_the_other_instance_makes_the_node_online_until_its_presence_goes()
    {
        var (_, _, outcome) = _a.Register("phone");
        _b.ApplyStoredNode(outcome.Node!.Id);
        var id = outcome.Node.Id;
        Assert.False(_b.Snapshot.Find(id)!.Online);

        Assert.Equal(1, _b.ApplyPresence(new HashSet<long> { id }, id));
        Assert.True(_b.Snapshot.Find(id)!.Online);
        Assert.True(_b.IsOnline(id));

        Assert.Equal(1, _b.ApplyPresence(new HashSet<long>()));
        Assert.False(_b.Snapshot.Find(id)!.Online);
    }

    [Fact]
    public void A_local_stream_is_reported_to_the_cluster_and_a_remote_one_keeps_the_node_online_after_it_closes()
    {
        var machine = MachinePrivate.Generate().Public;
        var nodeKey = NodePrivate.Generate().Public;
        var registered = _b.Register(machine, new RegisterRequest
        {
            Version = 133,
            NodeKey = nodeKey,
            Auth = new RegisterResponseAuth { AuthKey = "good" },
            Hostinfo = new Hostinfo { Hostname = "tablet" },
        });
        var id = registered.Node!.Id;
        _b.ApplyPresence(new HashSet<long> { id }, id);

        var stream = _b.Connect(id, zstd: false);
        Assert.Equal([id], _presenceB.Connected);
        stream.Dispose();

        Assert.Equal([id], _presenceB.Disconnected);
        Assert.True(_b.Snapshot.Find(id)!.Online, "still streaming to the other instance");
    }

    [Fact]
    public void Republishing_presence_reports_exactly_the_nodes_streaming_here()
    {
        // After another instance counted this one crashed and removed its presence (CrashWatch), it records again
        // every node it still streams to, and no node whose stream has ended.
        var ids = new[] { "kept", "closed" }.Select(name => _b.Register(MachinePrivate.Generate().Public, new RegisterRequest
        {
            Version = 133,
            NodeKey = NodePrivate.Generate().Public,
            Auth = new RegisterResponseAuth { AuthKey = "good" },
            Hostinfo = new Hostinfo { Hostname = name },
        }).Node!.Id).ToArray();
        using var kept = _b.Connect(ids[0], zstd: false);
        _b.Connect(ids[1], zstd: false).Dispose();
        _presenceB.Connected.Clear();

        Assert.Equal(1, _b.RepublishPresence());
        Assert.Equal([ids[0]], _presenceB.Connected);
    }

    [Fact]
    public void A_registration_colliding_with_an_unseen_row_is_decided_again_on_the_stored_rows()
    {
        // A registers a node B has not heard of; B's next registration would pick the same first free address.
        var (_, _, first) = _a.Register("one");
        var machine = MachinePrivate.Generate().Public;

        var second = _b.Register(machine, new RegisterRequest
        {
            Version = 133,
            NodeKey = NodePrivate.Generate().Public,
            Auth = new RegisterResponseAuth { AuthKey = "good" },
            Hostinfo = new Hostinfo { Hostname = "one" },
        });

        Assert.True(second.Node is not null, second.Message);
        Assert.NotEqual(first.Node!.Record.IPv4, second.Node.Record.IPv4);
        Assert.NotEqual(first.Node.Record.GivenName, second.Node.Record.GivenName);
        Assert.NotNull(_b.Snapshot.Find(first.Node.Id));
        Assert.Equal(2, _a.Repository.LoadAll().Count);
    }

    public void Dispose()
    {
        _b.Dispose();
        _a.Dispose();
    }

    private sealed class FakePresence : IClusterPresence, IRunOnceLease
    {
        public List<long> Connected { get; } = [];

        public List<long> Disconnected { get; } = [];

        void IClusterPresence.Connected(long nodeId) => Connected.Add(nodeId);

        void IClusterPresence.Disconnected(long nodeId) => Disconnected.Add(nodeId);

        public bool TryTake(string work) => true;
    }
}
