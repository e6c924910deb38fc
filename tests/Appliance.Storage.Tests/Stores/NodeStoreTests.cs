using System.Net;
using Appliance.Protocol.Keys;
using Appliance.Storage.Stores;
using Appliance.Storage.Tests.Support;
using Appliance.TestKit.Postgres;

namespace Appliance.Storage.Tests.Stores;

public abstract class NodeStoreTests : StoreTestBase
{
    [Fact]
    public void Every_column_of_a_node_round_trips()
    {
        using var test = NewDatabase();
        var users = new UserStore(test.Database);
        var keys = new PreAuthKeyStore(test.Database);
        var store = new NodeStore(test.Database);
        var now = test.Time.GetUtcNow();
        var alice = users.Insert("alice", null, null, now).Row!;
        var key = keys.Insert(TestKeys.New("apk_x", "s", now)).Row!;
        var node = TestNodes.New(1, now) with
        {
            DiscoKey = DiscoPublic.FromRaw(Enumerable.Repeat((byte)7, 32).ToArray()),
            UserId = alice.Id,
            Tags = ["tag:web"],
            Endpoints = [IPEndPoint.Parse("192.0.2.1:41641"), IPEndPoint.Parse("[2001:db8::1]:41641")],
            HostinfoJson = """{"Hostname":"host-1","OS":"linux"}""",
            ApprovedRoutes = [IPNetwork.Parse("10.0.0.0/24"), IPNetwork.Parse("::/0")],
            KeyExpiry = now.AddDays(180),
            LastSeen = now.AddMinutes(-1),
            Ephemeral = true,
            AuthKeyId = key.Id,
            RegisterMethod = NodeRegisterMethod.Cli,
        };

        var stored = store.Insert(node).Row!;
        var read = store.Get(stored.Id)!;

        Assert.True(stored.Id > 0);
        Assert.Equal(node.MachineKey, read.MachineKey);
        Assert.Equal(node.NodeKey, read.NodeKey);
        Assert.Equal(node.DiscoKey, read.DiscoKey);
        Assert.Equal(node.Hostname, read.Hostname);
        Assert.Equal(node.GivenName, read.GivenName);
        Assert.Equal(alice.Id, read.UserId);
        Assert.Equal<string>(node.Tags, read.Tags);
        Assert.Equal(node.IPv4, read.IPv4);
        Assert.Equal(node.IPv6, read.IPv6);
        Assert.Equal<IPEndPoint>(node.Endpoints, read.Endpoints);
        Assert.Equal(node.HostinfoJson, read.HostinfoJson);
        Assert.Equal<IPNetwork>(node.ApprovedRoutes, read.ApprovedRoutes);
        Assert.Equal(node.KeyExpiry, read.KeyExpiry);
        Assert.Equal(node.CreatedAt, read.CreatedAt);
        Assert.Equal(node.UpdatedAt, read.UpdatedAt);
        Assert.Equal(node.LastSeen, read.LastSeen);
        Assert.True(read.Ephemeral);
        Assert.Equal(key.Id, read.AuthKeyId);
        Assert.Equal(NodeRegisterMethod.Cli, read.RegisterMethod);
    }

    [Fact]
    public void A_node_is_found_by_id_machine_key_node_key_and_name()
    {
        using var test = NewDatabase();
        var store = new NodeStore(test.Database);
        var id = store.Insert(TestNodes.New(1, test.Time.GetUtcNow())).Row!.Id;
        store.Insert(TestNodes.New(2, test.Time.GetUtcNow()));

        Assert.Equal(id, store.GetByMachineKey(TestNodes.Machine(1))!.Id);
        Assert.Equal(id, store.GetByNodeKey(TestNodes.NodeKey(1))!.Id);
        Assert.Equal(id, store.GetByGivenName("host-1")!.Id);
        Assert.Null(store.GetByMachineKey(TestNodes.Machine(3)));
        Assert.Equal(2, store.List().Count);
    }

    [Fact]
    public void Duplicate_keys_names_and_addresses_are_conflicts()
    {
        using var test = NewDatabase();
        var store = new NodeStore(test.Database);
        var now = test.Time.GetUtcNow();
        var first = store.Insert(TestNodes.New(1, now)).Row!;

        Assert.Equal(WriteStatus.Conflict, store.Insert(TestNodes.New(2, now) with { MachineKey = first.MachineKey }).Status);
        Assert.Equal(WriteStatus.Conflict, store.Insert(TestNodes.New(2, now) with { NodeKey = first.NodeKey }).Status);
        Assert.Equal(WriteStatus.Conflict, store.Insert(TestNodes.New(2, now) with { GivenName = first.GivenName }).Status);
        Assert.Equal(WriteStatus.Conflict, store.Insert(TestNodes.New(2, now) with { IPv4 = first.IPv4 }).Status);
        Assert.Single(store.List());
    }

    [Fact]
    public void Update_replaces_the_row_and_reports_missing_ones()
    {
        using var test = NewDatabase();
        var store = new NodeStore(test.Database);
        var node = store.Insert(TestNodes.New(1, test.Time.GetUtcNow())).Row!;

        var renamed = store.Update(node with { GivenName = "web", Tags = ["tag:web"] });

        Assert.Equal("web", renamed.Row!.GivenName);
        Assert.Equal<string>(["tag:web"], store.Get(node.Id)!.Tags);
        Assert.Equal(WriteStatus.NotFound, store.Update(node with { Id = 999 }).Status);
    }

    [Fact]
    public void A_column_scoped_update_writes_only_its_columns_so_a_stale_copy_cannot_undo_another_writer()
    {
        using var test = NewDatabase();
        var store = new NodeStore(test.Database);
        var node = store.Insert(TestNodes.New(1, test.Time.GetUtcNow())).Row!;
        var stale = node;

        // An operator tags the node; then a writer holding the older copy stores only the endpoints it owns.
        Assert.True(store.Update(node with { Tags = ["tag:server"], UserId = null }, NodeColumns.Tags | NodeColumns.UserId).IsOk);
        var endpoints = store.Update(stale with { Endpoints = [IPEndPoint.Parse("192.0.2.1:41641")], Tags = [] }, NodeColumns.Endpoints);

        Assert.Equal<string>(["tag:server"], endpoints.Row!.Tags);
        Assert.Equal<string>(["tag:server"], store.Get(node.Id)!.Tags);
        Assert.Equal(["192.0.2.1:41641"], store.Get(node.Id)!.Endpoints.Select(e => e.ToString()));
        Assert.Equal(WriteStatus.NotFound, store.Update(node with { Id = 999 }, NodeColumns.Tags).Status);
        Assert.Equal(node.GivenName, store.Update(node, NodeColumns.None).Row!.GivenName);
        store.Insert(TestNodes.New(2, test.Time.GetUtcNow()) with { GivenName = "taken" });
        Assert.Equal(WriteStatus.Conflict, store.Update(node with { GivenName = "taken" }, NodeColumns.GivenName).Status);
    }

    [Fact]
    public void Upsert_inserts_a_new_machine_then_updates_it_in_place()
    {
        using var test = NewDatabase();
        var store = new NodeStore(test.Database);
        var now = test.Time.GetUtcNow();

        var inserted = store.Upsert(TestNodes.Machine(1), existing => existing ?? TestNodes.New(1, now));
        var updated = store.Upsert(TestNodes.Machine(1), existing => existing! with { NodeKey = TestNodes.NodeKey(9) });

        Assert.True(inserted.IsOk);
        Assert.Equal(inserted.Row!.Id, updated.Row!.Id);
        Assert.Equal(TestNodes.NodeKey(9), store.Get(inserted.Row.Id)!.NodeKey);
        Assert.Single(store.List());
    }

    [Fact]
    public void Update_by_machine_key_reports_an_unknown_machine_and_writes_nothing()
    {
        using var test = NewDatabase();
        var store = new NodeStore(test.Database);

        var result = store.UpdateByMachineKey(TestNodes.Machine(1), node => node with { Hostname = "x" });

        Assert.Equal(WriteStatus.NotFound, result.Status);
        Assert.Empty(store.List());
    }

    [Fact]
    public void Upsert_refuses_to_change_the_machine_key()
    {
        using var test = NewDatabase();
        var store = new NodeStore(test.Database);
        store.Insert(TestNodes.New(1, test.Time.GetUtcNow()));

        Assert.Throws<InvalidOperationException>(() =>
            store.UpdateByMachineKey(TestNodes.Machine(1), node => node with { MachineKey = TestNodes.Machine(2) }));
    }

    [Fact]
    public void Delete_and_last_seen_touch_only_the_node_asked_for()
    {
        using var test = NewDatabase();
        var store = new NodeStore(test.Database);
        var now = test.Time.GetUtcNow();
        var one = store.Insert(TestNodes.New(1, now)).Row!;
        var two = store.Insert(TestNodes.New(2, now)).Row!;

        Assert.True(store.SetLastSeen(two.Id, now.AddMinutes(5)));
        Assert.True(store.Delete(one.Id));
        Assert.False(store.Delete(one.Id));

        var remaining = Assert.Single(store.List());
        Assert.Equal(now.AddMinutes(5), remaining.LastSeen);
    }

    [Fact]
    public void Node_ids_are_never_reused_after_a_delete()
    {
        using var test = NewDatabase();
        var store = new NodeStore(test.Database);
        var now = test.Time.GetUtcNow();
        var first = store.Insert(TestNodes.New(1, now)).Row!;
        store.Delete(first.Id);

        var second = store.Insert(TestNodes.New(1, now)).Row!;

        Assert.True(second.Id > first.Id);
    }
}

public sealed class NodeStoreOnSqliteTests : NodeStoreTests
{
    protected override TestDatabase NewDatabase() => new();
}

[Trait("Category", "Postgres")]
public sealed class NodeStoreOnPostgresTests(PostgresCluster cluster) : NodeStoreTests, IClassFixture<PostgresCluster>
{
    protected override TestDatabase NewDatabase() => new(cluster);
}
