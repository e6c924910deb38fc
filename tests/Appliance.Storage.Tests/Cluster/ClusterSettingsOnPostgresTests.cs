using Appliance.Storage.Cluster;
using Appliance.Storage.Database;
using Appliance.Storage.Tests.Support;
using Appliance.TestKit.Postgres;
using Appliance.TestKit.Time;

namespace Appliance.Storage.Tests.Cluster;

/// <summary>
/// Migration 0007 on a real PostgreSQL with two instances: each sees the other's settings only while the other's
/// lease is live, departed instances' rows are forgotten; a shared secret is stored once (the first wins) and
/// re-sealed only for the same public half.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class ClusterSettingsOnPostgresTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Fact]
    public void Settings_of_live_instances_are_compared_and_those_of_departed_ones_forgotten()
    {
        using var test = new TestDatabase(cluster);
        using var other = OpenSecond(test);
        var now = test.Time.GetUtcNow();
        var ms = now.ToUnixTimeMilliseconds();
        var mine = new InstanceSettingsStore(test.Database);
        var theirs = new InstanceSettingsStore(other);
        new PresenceStore(test.Database).RenewInstance(now, now.AddSeconds(15));
        new PresenceStore(other).RenewInstance(now, now.AddSeconds(15));
        mine.Record("""{"a":"1"}""", ms);
        theirs.Record("""{"a":"2"}""", ms);
        theirs.Record("""{"a":"3"}""", ms + 1);

        Assert.Equal(new Dictionary<string, string> { [other.InstanceId] = """{"a":"3"}""" }, mine.Others(ms));
        Assert.Equal(new Dictionary<string, string> { [test.Database.InstanceId] = """{"a":"1"}""" }, theirs.Others(ms));
        Assert.Empty(mine.Others(now.AddSeconds(15).ToUnixTimeMilliseconds()));

        // Both leases run out and a sweep removes both instances (they had no streams): their settings go next.
        Assert.Equal(0, new PresenceStore(test.Database).SweepExpired(now.AddSeconds(15)));
        Assert.Equal(2, mine.DeleteGone(includingMine: false));
    }

    [Fact]
    public void A_shared_secret_is_stored_once_and_resealed_only_for_its_own_public_half()
    {
        using var test = new TestDatabase(cluster);
        using var other = OpenSecond(test);
        var ms = test.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var first = new SharedSecretStore(test.Database);
        var second = new SharedSecretStore(other);

        Assert.Null(first.Find("noise"));
        Assert.True(first.TryInsert("noise", "mkey:a", "v1.first", ms));
        Assert.False(second.TryInsert("noise", "mkey:b", "v1.second", ms), "the first instance's secret stays");
        Assert.Equal(("mkey:a", "v1.first"), second.Find("noise")!.Value);
        Assert.False(second.Reseal("noise", "mkey:b", "v1.other"));
        Assert.True(second.Reseal("noise", "mkey:a", "v1.resealed"));
        Assert.Equal(("mkey:a", "v1.resealed"), first.Find("noise")!.Value);
    }

    private ApplianceDatabase OpenSecond(TestDatabase test)
    {
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(cluster.ConnectionString("x"));
        using var probe = test.Database.OpenConnection();
        connection.Database = probe.Database;
        return ApplianceDatabase.OpenPostgres(new PostgresSettings(connection.ConnectionString), TestTime.Create());
    }
}
