using Appliance.Storage.Stores;
using Appliance.Storage.Tests.Support;
using Appliance.TestKit.Postgres;

namespace Appliance.Storage.Tests.Stores;

public abstract class UserStoreTests : StoreTestBase
{
    [Fact]
    public void A_user_round_trips_through_insert_get_and_list()
    {
        using var test = NewDatabase();
        var store = new UserStore(test.Database);

        var created = store.Insert("alice", "Alice A.", "alice@example.test", test.Time.GetUtcNow());

        Assert.True(created.IsOk);
        var alice = created.Row!;
        Assert.Equal(alice, store.Get(alice.Id));
        Assert.Equal(alice, store.GetByName("alice"));
        Assert.Equal([alice], store.List());
        Assert.Equal(test.Time.GetUtcNow(), alice.CreatedAt);
        Assert.Equal("Alice A.", alice.DisplayName);
    }

    [Fact]
    public void A_second_user_with_the_same_name_is_a_conflict()
    {
        using var test = NewDatabase();
        var store = new UserStore(test.Database);
        store.Insert("alice", null, null, test.Time.GetUtcNow());

        var again = store.Insert("alice", null, null, test.Time.GetUtcNow());

        Assert.Equal(WriteStatus.Conflict, again.Status);
        Assert.Single(store.List());
    }

    [Fact]
    public void Rename_changes_the_name_and_refuses_a_taken_one()
    {
        using var test = NewDatabase();
        var store = new UserStore(test.Database);
        var alice = store.Insert("alice", null, null, test.Time.GetUtcNow()).Row!;
        store.Insert("bob", null, null, test.Time.GetUtcNow());

        Assert.Equal("carol", store.Rename(alice.Id, "carol").Row!.Name);
        Assert.Equal(WriteStatus.Conflict, store.Rename(alice.Id, "bob").Status);
        Assert.Equal(WriteStatus.NotFound, store.Rename(999, "dave").Status);
        Assert.Equal("carol", store.Get(alice.Id)!.Name);
    }

    [Fact]
    public void Delete_refuses_a_user_who_owns_nodes_unless_told_to_remove_them()
    {
        using var test = NewDatabase();
        var users = new UserStore(test.Database);
        var nodes = new NodeStore(test.Database);
        var alice = users.Insert("alice", null, null, test.Time.GetUtcNow()).Row!;
        var node = nodes.Insert(TestNodes.New(1, test.Time.GetUtcNow()) with { UserId = alice.Id }).Row!;

        var refused = users.Delete(alice.Id, withNodes: false);
        Assert.Equal(WriteStatus.Conflict, refused.Status);
        Assert.NotNull(users.Get(alice.Id));

        var forced = users.Delete(alice.Id, withNodes: true);
        Assert.Equal(WriteStatus.Ok, forced.Status);
        Assert.Equal([node.Id], forced.RemovedNodes);
        Assert.Null(users.Get(alice.Id));
        Assert.Null(nodes.Get(node.Id));
    }

    [Fact]
    public void Deleting_a_user_removes_their_pre_auth_keys()
    {
        using var test = NewDatabase();
        var users = new UserStore(test.Database);
        var keys = new PreAuthKeyStore(test.Database);
        var alice = users.Insert("alice", null, null, test.Time.GetUtcNow()).Row!;
        keys.Insert(TestKeys.New("apk_one", "secret", test.Time.GetUtcNow()) with { UserId = alice.Id });

        Assert.Equal(WriteStatus.Ok, users.Delete(alice.Id, withNodes: false).Status);

        Assert.Empty(keys.List());
        Assert.Equal(WriteStatus.NotFound, users.Delete(alice.Id, withNodes: false).Status);
    }
}

public sealed class UserStoreOnSqliteTests : UserStoreTests
{
    protected override TestDatabase NewDatabase() => new();
}

[Trait("Category", "Postgres")]
public sealed class UserStoreOnPostgresTests(PostgresCluster cluster) : UserStoreTests, IClassFixture<PostgresCluster>
{
    protected override TestDatabase NewDatabase() => new(cluster);
}
