using Appliance.State.Identity;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using Appliance.State.Tests.Support;
using Appliance.Storage.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.State.Tests.Coordinator.Streams;

/// <summary>
/// Background work is guarded like Kestrel's Heartbeat (issue 12): a throwing repository inside the heartbeat's
/// ephemeral GC is logged with event BackgroundWorkFailed and counted, the timer keeps running, and the other
/// duties of the same tick (keep-alives) still happen. With the old code the exception escaped the timer callback,
/// which on a real timer ends the process.
/// </summary>
public sealed class BackgroundWorkTests
{
    [Fact]
    public async Task A_throwing_repository_inside_the_heartbeat_is_logged_and_counted_and_never_escapes()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var log = new ListLogger();
        var repository = new HookedNodeRepository(new InMemoryNodeRepository());
        var users = new FakeUsers();
        users.Add(new TailnetUser(1, "alice", null, null, time.GetUtcNow()));
        var options = new CoordinatorOptions { CoalesceWindow = TimeSpan.Zero, KeepAliveInterval = TimeSpan.FromSeconds(10), EphemeralInactivityTimeout = TimeSpan.FromMinutes(1) };
        using var coordinator = new ControlCoordinator(options, repository, users, new FakeKeys(), StaticDerpMapProvider.Empty, new AllowAllPacketFilter(), time, log);
        coordinator.Start();
        var ephemeral = Register(coordinator, "ephemeral");
        var peer = Register(coordinator, "good");
        using var stream = coordinator.Connect(peer, zstd: false);
        await using var probe = new StreamProbe(stream.Session);
        Assert.NotNull(await probe.Next(5000));

        repository.Failure = () => new InvalidOperationException("disk on fire");
        time.Advance(options.EphemeralInactivityTimeout + options.HeartbeatInterval);
        time.Advance(options.HeartbeatInterval);

        Assert.True(coordinator.BackgroundFaults >= 2, $"faults counted: {coordinator.BackgroundFaults}");
        var failure = log.Entries.First(e => e.Id.Id == StateEvents.BackgroundWorkFailedId);
        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.Equal("disk on fire", failure.Exception!.Message);
        Assert.Contains("ephemeral node GC", failure.Message, StringComparison.Ordinal);
        Assert.NotNull(coordinator.Snapshot.Find(ephemeral));
        Assert.True((await probe.Next(2000))!.KeepAlive);

        repository.Failure = null;
        time.Advance(options.HeartbeatInterval);
        Assert.Null(coordinator.Snapshot.Find(ephemeral));
    }

    [Fact]
    public void A_database_that_refuses_last_seen_still_takes_the_node_offline_and_counts_the_fault()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var repository = new HookedNodeRepository(new InMemoryNodeRepository());
        var users = new FakeUsers();
        users.Add(new TailnetUser(1, "alice", null, null, time.GetUtcNow()));
        using var coordinator = new ControlCoordinator(
            new CoordinatorOptions { CoalesceWindow = TimeSpan.Zero }, repository, users, new FakeKeys(), StaticDerpMapProvider.Empty, new AllowAllPacketFilter(), time);
        coordinator.Start();
        var id = Register(coordinator, "good");
        var stream = coordinator.Connect(id, zstd: false);
        Assert.True(coordinator.Snapshot.Find(id)!.Online);

        repository.Failure = () => new Microsoft.Data.Sqlite.SqliteException("database or disk is full", 13);
        stream.Dispose();

        Assert.False(coordinator.Snapshot.Find(id)!.Online);
        Assert.Equal(1, coordinator.BackgroundFaults);
    }

    private static long Register(ControlCoordinator coordinator, string key) => coordinator.Register(MachinePrivate.Generate().Public, new RegisterRequest
    {
        Version = 133,
        NodeKey = NodePrivate.Generate().Public,
        Auth = new RegisterResponseAuth { AuthKey = key },
        Hostinfo = new Hostinfo { Hostname = key },
    }).Node!.Id;
}
