using Appliance.Protocol.Keys;
using Appliance.Storage.Cluster;
using Appliance.Storage.Database;
using Appliance.Storage.Stores;
using Appliance.Storage.Tests.Support;
using Appliance.TestKit.Postgres;
using Appliance.TestKit.Time;

namespace Appliance.Storage.Tests.Cluster;

/// <summary>
/// Migration 0004's triggers on a real PostgreSQL: a committed write to a tailnet table appears in ha_changes with
/// the writer's instance id and is NOTIFYed; a rolled-back one does not; presence counts only live instances.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class ChangeFeedOnPostgresTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Fact]
    public void Committed_writes_are_recorded_with_their_instance_and_rolled_back_ones_are_not()
    {
        using var test = new TestDatabase(cluster);
        var changes = new ClusterChangeStore(test.Database);
        var start = changes.Latest();
        var users = new UserStore(test.Database);
        var alice = users.Insert("alice", null, null, test.Time.GetUtcNow()).Row!;
        var node = new NodeStore(test.Database).Insert(Node(alice.Id, test.Time.GetUtcNow())).Row!;
        users.Rename(alice.Id, "alicia");
        Assert.Equal(WriteStatus.Conflict, users.Insert("alicia", null, null, test.Time.GetUtcNow()).Status);

        var read = changes.ReadAfter(start);

        Assert.Equal([("user", alice.Id), ("node", node.Id), ("user", alice.Id)], read.Select(c => (c.Entity, c.RowId)));
        Assert.All(read, c => Assert.Equal(test.Database.InstanceId, c.Origin));
        Assert.Equal(read[^1].Seq, changes.Latest());
        Assert.Empty(changes.ReadAfter(read[^1].Seq));
    }

    [Fact]
    public async Task A_listener_is_woken_by_a_commit_on_another_connection()
    {
        using var test = new TestDatabase(cluster);
        var listener = ChangeListener.For(test.Database, TimeProvider.System)!;
        var woken = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        var running = listener.RunAsync(_ => woken.Release(), _ => { }, stop.Token);
        Assert.True(await woken.WaitAsync(TimeSpan.FromSeconds(30)), "woken once listening");

        new UserStore(test.Database).Insert("bob", null, null, test.Time.GetUtcNow());

        Assert.True(await woken.WaitAsync(TimeSpan.FromSeconds(4)), "woken by the NOTIFY (well before the 5 s poll)");
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public void Presence_counts_only_other_instances_with_a_live_lease_and_the_sweep_removes_the_rest()
    {
        using var test = new TestDatabase(cluster);
        using var other = OpenSecond(test);
        var now = test.Time.GetUtcNow();
        var mine = new PresenceStore(test.Database);
        var theirs = new PresenceStore(other);
        Assert.NotEqual(mine.InstanceId, theirs.InstanceId);
        mine.RenewInstance(now, now.AddSeconds(15));
        theirs.RenewInstance(now, now.AddSeconds(15));
        mine.Connected(1, now);
        theirs.Connected(2, now);

        Assert.Equal([2L], mine.OnlineElsewhere(now));
        Assert.True(mine.IsOnlineElsewhere(2, now));
        Assert.False(mine.IsOnlineElsewhere(1, now), "this instance's own streams are not 'elsewhere'");

        // Theirs stops renewing: after its lease it no longer counts, and a sweep removes its rows.
        mine.RenewInstance(now.AddSeconds(10), now.AddSeconds(30));
        Assert.Empty(mine.OnlineElsewhere(now.AddSeconds(16)));
        Assert.Equal(1, mine.SweepExpired(now.AddSeconds(16)));
        Assert.Equal([1L], theirs.OnlineElsewhere(now.AddSeconds(16)));
        theirs.Disconnected(2);
        mine.Disconnected(1);
        Assert.Empty(theirs.OnlineElsewhere(now.AddSeconds(16)));
    }

    private ApplianceDatabase OpenSecond(TestDatabase test)
    {
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(cluster.ConnectionString("x"));
        using var probe = test.Database.OpenConnection();
        connection.Database = probe.Database;
        return ApplianceDatabase.OpenPostgres(new PostgresSettings(connection.ConnectionString), TestTime.Create());
    }

    private static NodeRecord Node(long userId, DateTimeOffset now) => new()
    {
        MachineKey = MachinePrivate.Generate().Public,
        NodeKey = NodePrivate.Generate().Public,
        Hostname = "n1",
        GivenName = "n1",
        UserId = userId,
        IPv4 = System.Net.IPAddress.Parse("100.64.0.1"),
        IPv6 = System.Net.IPAddress.Parse("fd7a:115c:a1e0::1"),
        CreatedAt = now,
        UpdatedAt = now,
        RegisterMethod = NodeRegisterMethod.AuthKey,
    };
}
