using System.Threading.Channels;
using Appliance.Storage.Cluster;
using Appliance.Storage.Database;
using Appliance.Storage.Tests.Support;
using Appliance.TestKit.Postgres;
using Appliance.TestKit.Time;
using Npgsql;

namespace Appliance.Storage.Tests.Cluster;

/// <summary>
/// The liveness locks on a real PostgreSQL: one instance sees another's lock while its connection lives, sees it go
/// the moment that connection ends (a clean stop, or the server cutting it as it does when a process dies), sees it
/// come back on the other's reconnect, and starts a new epoch itself when the server restarts (every lock dropped).
/// </summary>
[Trait("Category", "Postgres")]
public sealed class InstanceLivenessOnPostgresTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_lock_is_seen_while_its_connection_lives_and_gone_at_once_when_the_connection_ends()
    {
        using var test = new TestDatabase(cluster);
        using var other = OpenSecond(test);
        Register(test.Database, other);
        var watcher = new Watcher(InstanceLiveness.For(test.Database, TimeProvider.System, Tick)!);
        var watched = new Watcher(InstanceLiveness.For(other, TimeProvider.System, Tick)!);

        var first = await watcher.UntilAsync(r => r.Instances.GetValueOrDefault(other.InstanceId));
        Assert.True(first.HoldsOwnLock);
        Assert.True(first.Instances[test.Database.InstanceId], "its own lock counts too");
        var watchedFirst = await watched.UntilAsync(r => r.Instances.GetValueOrDefault(test.Database.InstanceId));
        Assert.Equal(1, watchedFirst.Epoch);

        // The server ends the other's lock connection, as it does when the process holding it dies.
        TerminateLockHolder(test.Database, other.InstanceId);
        var gone = await watcher.UntilAsync(r => !r.Instances[other.InstanceId]);
        Assert.Equal(first.Epoch, gone.Epoch);

        // The other reconnects (a new epoch for it) and takes its lock again.
        var again = await watched.UntilAsync(r => r.Epoch > watchedFirst.Epoch && r.HoldsOwnLock);
        Assert.True(again.Instances[other.InstanceId]);
        Assert.True(watched.Lost >= 1, "the cut connection was reported");
        await watcher.UntilAsync(r => r.Instances[other.InstanceId]);

        // A clean stop releases the lock before the connection goes back to the pool.
        await watched.DisposeAsync();
        await watcher.UntilAsync(r => !r.Instances[other.InstanceId]);
        await watcher.DisposeAsync();
    }

    [Fact]
    public async Task A_key_held_by_another_session_is_reported_not_waited_for()
    {
        using var test = new TestDatabase(cluster);
        Register(test.Database);
        await using var squatter = new NpgsqlConnection(Connection(test.Database));
        await squatter.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@s, @k);", squatter))
        {
            take.Parameters.AddWithValue("s", InstanceLiveness.LockSpace);
            take.Parameters.AddWithValue("k", InstanceLiveness.LockKey(test.Database.InstanceId));
            await take.ExecuteScalarAsync();
        }

        await using var watcher = new Watcher(InstanceLiveness.For(test.Database, TimeProvider.System, Tick)!);
        var report = await watcher.UntilAsync(_ => true);
        Assert.False(report.HoldsOwnLock);
        Assert.True(report.Instances[test.Database.InstanceId], "the key is held, by the other session");
    }

    [Fact]
    public async Task A_server_restart_starts_a_new_epoch_and_the_locks_are_taken_again()
    {
        using var test = new TestDatabase(cluster);
        using var other = OpenSecond(test);
        Register(test.Database, other);
        await using var watcher = new Watcher(InstanceLiveness.For(test.Database, TimeProvider.System, Tick)!);
        await using var watched = new Watcher(InstanceLiveness.For(other, TimeProvider.System, Tick)!);
        var before = await watcher.UntilAsync(r => r.Instances.GetValueOrDefault(other.InstanceId));

        cluster.Restart();

        var after = await watcher.UntilAsync(r => r.Epoch > before.Epoch && r.Instances[other.InstanceId]);
        Assert.True(after.HoldsOwnLock);
        Assert.True(watcher.Lost > 0, "the restart cut the lock connection");
        Assert.True(InstanceLiveness.LockKey(test.Database.InstanceId) >= 0);
    }

    [Fact]
    public void Removing_a_crashed_instance_takes_its_presence_its_lease_and_the_work_it_held()
    {
        using var test = new TestDatabase(cluster);
        using var other = OpenSecond(test);
        var now = test.Time.GetUtcNow();
        var mine = new PresenceStore(test.Database);
        var theirs = new PresenceStore(other);
        mine.RenewInstance(now, now.AddSeconds(15));
        theirs.RenewInstance(now, now.AddSeconds(15));
        theirs.Connected(7, now);
        theirs.Connected(8, now);
        mine.Connected(9, now);
        var leases = new LeaseStore(test.Database);
        Assert.True(leases.TryAcquire("ephemeral-gc", other.InstanceId, now, now.AddSeconds(15)));
        Assert.Equal([7L, 8L], mine.OnlineElsewhere(now).Order());

        Assert.Equal(2, mine.RemoveCrashed(other.InstanceId));

        Assert.Empty(mine.OnlineElsewhere(now));
        Assert.Equal([9L], theirs.OnlineElsewhere(now));
        Assert.Null(leases.Holder("ephemeral-gc", now));
        Assert.True(leases.TryAcquire("ephemeral-gc", test.Database.InstanceId, now, now.AddSeconds(15)), "the work is free at once");
        Assert.Equal(0, mine.RemoveCrashed(other.InstanceId));
    }

    private static void Register(params ApplianceDatabase[] databases)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var database in databases)
        {
            new PresenceStore(database).RenewInstance(now, now.AddMinutes(5));
        }
    }

    private static void TerminateLockHolder(ApplianceDatabase database, string instanceId)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 " +
            $"AND classid = {InstanceLiveness.LockSpace}::oid AND objid = {InstanceLiveness.LockKey(instanceId)}::oid;";
        Assert.True(command.ExecuteScalar() is true, "no session held the lock");
    }

    private static string Connection(ApplianceDatabase database)
    {
        using var probe = database.OpenConnection();
        return probe.ConnectionString;
    }

    private ApplianceDatabase OpenSecond(TestDatabase test)
    {
        var connection = new NpgsqlConnectionStringBuilder(cluster.ConnectionString("x"));
        using var probe = test.Database.OpenConnection();
        connection.Database = probe.Database;
        return ApplianceDatabase.OpenPostgres(new PostgresSettings(connection.ConnectionString), TestTime.Create());
    }

    /// <summary>Runs one instance's liveness loop and keeps its reports for the test to wait on.</summary>
    private sealed class Watcher : IAsyncDisposable
    {
        private readonly Channel<LivenessReport> _reports = Channel.CreateUnbounded<LivenessReport>();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _running;
        private int _lost;
        private bool _disposed;

        public Watcher(InstanceLiveness liveness) =>
            _running = liveness.RunAsync(r => _reports.Writer.TryWrite(r), _ => Interlocked.Increment(ref _lost), _stop.Token);

        public int Lost => Volatile.Read(ref _lost);

        public async Task<LivenessReport> UntilAsync(Func<LivenessReport, bool> condition)
        {
            using var timeout = new CancellationTokenSource(Wait);
            while (true)
            {
                var report = await _reports.Reader.ReadAsync(timeout.Token);
                if (condition(report))
                {
                    return report;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await _stop.CancelAsync();
            await _running;
            _stop.Dispose();
        }
    }
}
