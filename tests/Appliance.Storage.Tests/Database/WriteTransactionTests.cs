using Appliance.Storage.Stores;
using Appliance.Storage.Tests.Support;
using Appliance.TestKit.Postgres;

namespace Appliance.Storage.Tests.Database;

/// <summary>
/// <c>ApplianceDatabase.InTransaction</c> (issue 12): every store write made inside it is one transaction, kept only
/// when the result says so; an exception or a result not kept leaves no row behind; a store's own transaction
/// inside it is a savepoint. Written once, run on SQLite and on a real PostgreSQL cluster.
/// </summary>
public abstract class WriteTransactionTests : StoreTestBase
{
    [Fact]
    public void Writes_of_several_stores_commit_together_when_kept()
    {
        using var test = NewDatabase();
        var (users, keys, nodes) = Stores(test);
        var now = test.Time.GetUtcNow();
        var key = keys.Insert(TestKeys.New("apk_tx", "s3cret", now)).Row!;

        var done = test.Database.InTransaction(
            () => (Claim: keys.Claim(key.Id, now), User: users.Insert("alice", null, null, now), Node: nodes.Insert(TestNodes.New(1, now))),
            r => r.Claim.IsValid && r.User.IsOk && r.Node.IsOk);

        Assert.True(done.Node.IsOk);
        Assert.Equal(1, keys.Get(key.Id)!.UsedCount);
        Assert.NotNull(users.GetByName("alice"));
        Assert.Single(nodes.List());
    }

    [Fact]
    public void A_result_not_kept_leaves_no_write_of_any_store()
    {
        using var test = NewDatabase();
        var (users, keys, nodes) = Stores(test);
        var now = test.Time.GetUtcNow();
        var key = keys.Insert(TestKeys.New("apk_tx", "s3cret", now)).Row!;

        test.Database.InTransaction(
            () =>
            {
                Assert.True(keys.Claim(key.Id, now).IsValid);
                Assert.True(users.Insert("alice", null, null, now).IsOk);
                return nodes.Insert(TestNodes.New(1, now));
            },
            _ => false);

        Assert.Equal(0, keys.Get(key.Id)!.UsedCount);
        Assert.Null(users.GetByName("alice"));
        Assert.Empty(nodes.List());
    }

    [Fact]
    public void An_exception_part_way_rolls_back_what_came_before_and_reaches_the_caller()
    {
        using var test = NewDatabase();
        var (users, keys, _) = Stores(test);
        var now = test.Time.GetUtcNow();
        var key = keys.Insert(TestKeys.New("apk_tx", "s3cret", now)).Row!;

        var thrown = Assert.Throws<IOException>(() => test.Database.InTransaction<bool>(
            () =>
            {
                keys.Claim(key.Id, now);
                users.Insert("alice", null, null, now);
                throw new IOException("disk full");
            },
            _ => true));

        Assert.Equal("disk full", thrown.Message);
        Assert.Equal(0, keys.Get(key.Id)!.UsedCount);
        Assert.Null(users.GetByName("alice"));

        // The database is usable afterwards, by the next transaction and by a plain write.
        Assert.True(test.Database.InTransaction(() => users.Insert("bob", null, null, now), r => r.IsOk).IsOk);
        Assert.True(users.Insert("carol", null, null, now).IsOk);
        Assert.Equal(["bob", "carol"], users.List().Select(u => u.Name));
    }

    [Fact]
    public void A_stores_own_transaction_inside_is_a_savepoint()
    {
        using var test = NewDatabase();
        var (users, _, nodes) = Stores(test);
        var now = test.Time.GetUtcNow();
        var owner = users.Insert("owner", null, null, now).Row!;
        nodes.Insert(TestNodes.New(1, now) with { UserId = owner.Id });

        test.Database.InTransaction(
            () =>
            {
                Assert.True(users.Insert("alice", null, null, now).IsOk);

                // UserStore.Delete opens its own transaction: refused (the user owns a node), it rolls back to its savepoint only.
                Assert.Equal(WriteStatus.Conflict, users.Delete(owner.Id, withNodes: false).Status);
                return users.Insert("bob", null, null, now);
            },
            r => r.IsOk);

        Assert.Equal(["owner", "alice", "bob"], users.List().Select(u => u.Name));
        Assert.Single(nodes.List());
    }

    [Fact]
    public async Task Racing_claims_of_a_single_use_key_with_their_node_writes_give_one_node()
    {
        using var test = NewDatabase();
        var (_, keys, nodes) = Stores(test);
        var now = test.Time.GetUtcNow();
        var key = keys.Insert(TestKeys.New("apk_race", "s3cret", now)).Row!;

        var results = await Task.WhenAll(Enumerable.Range(1, 8).Select(n => Task.Run(() => test.Database.InTransaction(
            () => keys.Claim(key.Id, now) is { IsValid: true } ? nodes.Insert(TestNodes.New(n, now)) : WriteResult.NotFound<NodeRecord>(),
            r => r.IsOk))));

        Assert.Single(results, r => r.IsOk);
        Assert.Single(nodes.List());
        Assert.Equal(1, keys.Get(key.Id)!.UsedCount);
    }

    private static (UserStore Users, PreAuthKeyStore Keys, NodeStore Nodes) Stores(TestDatabase test) =>
        (new UserStore(test.Database), new PreAuthKeyStore(test.Database), new NodeStore(test.Database));
}

public sealed class WriteTransactionOnSqliteTests : WriteTransactionTests
{
    protected override TestDatabase NewDatabase() => new();
}

[Trait("Category", "Postgres")]
public sealed class WriteTransactionOnPostgresTests(PostgresCluster cluster) : WriteTransactionTests, IClassFixture<PostgresCluster>
{
    protected override TestDatabase NewDatabase() => new(cluster);
}
