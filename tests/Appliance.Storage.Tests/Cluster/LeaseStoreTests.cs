using Appliance.Storage.Cluster;
using Appliance.Storage.Tests.Support;
using Appliance.TestKit.Postgres;

namespace Appliance.Storage.Tests.Cluster;

/// <summary>The run-once lease (ha_leases): one holder at a time, renewable by its holder, free once expired or released.</summary>
public abstract class LeaseStoreTests : StoreTestBase
{
    [Fact]
    public void A_live_lease_is_refused_to_another_holder_and_renewed_by_its_own()
    {
        using var test = NewDatabase();
        var store = new LeaseStore(test.Database);
        var now = test.Time.GetUtcNow();

        Assert.True(store.TryAcquire("gc", "a", now, now.AddSeconds(15)));
        Assert.False(store.TryAcquire("gc", "b", now.AddSeconds(5), now.AddSeconds(20)));
        Assert.True(store.TryAcquire("gc", "a", now.AddSeconds(10), now.AddSeconds(25)));
        Assert.False(store.TryAcquire("gc", "b", now.AddSeconds(20), now.AddSeconds(35)), "a renewed until 25 s");
        Assert.Equal("a", store.Holder("gc", now.AddSeconds(20)));
        Assert.True(store.TryAcquire("other", "b", now, now.AddSeconds(15)), "leases are per name");
    }

    [Fact]
    public void An_expired_lease_goes_to_the_next_asker_and_a_released_one_at_once()
    {
        using var test = NewDatabase();
        var store = new LeaseStore(test.Database);
        var now = test.Time.GetUtcNow();
        store.TryAcquire("gc", "a", now, now.AddSeconds(15));

        Assert.True(store.TryAcquire("gc", "b", now.AddSeconds(15), now.AddSeconds(30)));
        Assert.Equal("b", store.Holder("gc", now.AddSeconds(16)));
        Assert.False(store.Release("gc", "a"), "only the holder releases");
        Assert.True(store.Release("gc", "b"));
        Assert.Null(store.Holder("gc", now.AddSeconds(16)));
        Assert.True(store.TryAcquire("gc", "a", now.AddSeconds(16), now.AddSeconds(31)));
    }

    [Fact]
    public void Many_holders_asking_at_once_get_one_lease()
    {
        using var test = NewDatabase();
        var store = new LeaseStore(test.Database);
        var now = test.Time.GetUtcNow();

        var winners = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8)
            .Count(i => store.TryAcquire("sweep", $"instance-{i}", now, now.AddSeconds(15)));

        Assert.Equal(1, winners);
    }
}

public sealed class LeaseStoreOnSqliteTests : LeaseStoreTests
{
    protected override TestDatabase NewDatabase() => new();
}

[Trait("Category", "Postgres")]
public sealed class LeaseStoreOnPostgresTests(PostgresCluster cluster) : LeaseStoreTests, IClassFixture<PostgresCluster>
{
    protected override TestDatabase NewDatabase() => new(cluster);
}
