using Appliance.Storage.Cluster;
using Appliance.Storage.Tests.Support;
using Appliance.TestKit.Postgres;

namespace Appliance.Storage.Tests.Cluster;

/// <summary>
/// Waiting interactive logins (pending_logins, migration 0006) on both engines: ids are unique, one claim wins, a
/// decision is stored with its node or error, listing shows only waiting unexpired logins, and expiry deletes.
/// </summary>
public abstract class PendingLoginStoreTests : StoreTestBase
{
    [Fact]
    public void A_login_is_stored_once_per_id_and_listed_while_it_waits()
    {
        using var test = NewDatabase();
        var store = new PendingLoginStore(test.Database);
        var now = test.Time.GetUtcNow().ToUnixTimeMilliseconds();

        Assert.True(store.TryInsert("id-1", "mkey:1", "{}", "http://x/register/id-1", now, now + 60_000));
        Assert.False(store.TryInsert("id-1", "mkey:2", "{}", "http://x/register/id-1", now, now + 60_000), "a taken id is refused, not overwritten");
        Assert.True(store.TryInsert("id-2", "mkey:2", "{\"Version\":1}", "http://x/register/id-2", now + 1, now + 1_000));

        var row = store.Find("id-1")!;
        Assert.Equal(("mkey:1", PendingLoginStore.Waiting, test.Database.InstanceId), (row.MachineKey, row.State, row.InstanceId));
        Assert.Equal(row, store.FindByRowId(row.RowId));
        Assert.Equal(["id-1", "id-2"], store.ListWaiting(now).Select(r => r.Id));
        Assert.Equal(["id-1"], store.ListWaiting(now + 1_001).Select(r => r.Id));
        Assert.Null(store.Find("id-3"));
    }

    [Fact]
    public void One_claim_wins_and_the_decision_is_stored()
    {
        using var test = NewDatabase();
        var store = new PendingLoginStore(test.Database);
        var now = test.Time.GetUtcNow().ToUnixTimeMilliseconds();
        store.TryInsert("ok", "mkey:1", "{}", "http://x/register/ok", now, now + 60_000);
        store.TryInsert("no", "mkey:2", "{}", "http://x/register/no", now, now + 60_000);
        store.TryInsert("late", "mkey:3", "{}", "http://x/register/late", now, now + 10);

        var winners = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8).Count(_ => store.TryClaim("ok", now));
        Assert.Equal(1, winners);
        Assert.Equal(PendingLoginStore.Claimed, store.Find("ok")!.State);
        store.Decide("ok", 42, null);
        Assert.True(store.TryClaim("no", now));
        store.Decide("no", null, "not this one");
        Assert.False(store.TryClaim("late", now + 10), "a login that ran out cannot be claimed");
        Assert.False(store.TryClaim("missing", now));

        Assert.Equal((PendingLoginStore.Approved, 42L, (string?)null), (store.Find("ok")!.State, store.Find("ok")!.NodeId, store.Find("ok")!.Error));
        Assert.Equal((PendingLoginStore.Refused, (long?)null, "not this one"), (store.Find("no")!.State, store.Find("no")!.NodeId, store.Find("no")!.Error));
        Assert.Equal(["late"], store.ListWaiting(now).Select(r => r.Id));
    }

    [Fact]
    public void Expired_logins_are_deleted()
    {
        using var test = NewDatabase();
        var store = new PendingLoginStore(test.Database);
        var now = test.Time.GetUtcNow().ToUnixTimeMilliseconds();
        store.TryInsert("old", "mkey:1", "{}", "http://x/register/old", now, now + 10);
        store.TryInsert("new", "mkey:2", "{}", "http://x/register/new", now, now + 60_000);

        Assert.Equal(1, store.DeleteExpired(now + 10));
        Assert.Null(store.Find("old"));
        Assert.NotNull(store.Find("new"));
        Assert.Equal(0, store.DeleteExpired(now + 10));
    }
}

public sealed class PendingLoginStoreOnSqliteTests : PendingLoginStoreTests
{
    protected override TestDatabase NewDatabase() => new();
}

[Trait("Category", "Postgres")]
public sealed class PendingLoginStoreOnPostgresTests(PostgresCluster cluster) : PendingLoginStoreTests, IClassFixture<PostgresCluster>
{
    protected override TestDatabase NewDatabase() => new(cluster);

    [Fact]
    public void A_decision_is_a_login_change_in_the_feed_and_an_insert_is_not()
    {
        using var test = NewDatabase();
        var store = new PendingLoginStore(test.Database);
        var changes = new ClusterChangeStore(test.Database);
        var start = changes.Latest();
        var now = test.Time.GetUtcNow().ToUnixTimeMilliseconds();
        store.TryInsert("feed", "mkey:1", "{}", "http://x/register/feed", now, now + 60_000);
        Assert.Empty(changes.ReadAfter(start));

        store.TryClaim("feed", now);
        store.Decide("feed", 7, null);

        var rowId = store.Find("feed")!.RowId;
        Assert.Equal([("login", rowId), ("login", rowId)], changes.ReadAfter(start).Select(c => (c.Entity, c.RowId)));
    }
}
