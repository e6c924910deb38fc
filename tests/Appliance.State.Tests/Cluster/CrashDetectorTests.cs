using Appliance.State.Cluster;

namespace Appliance.State.Tests.Cluster;

/// <summary>
/// When a missing liveness lock means a crash: only a lock this instance saw held on the same connection, missing
/// twice in a row, of an instance still registered. A PostgreSQL restart (new connection: new epoch) or a clean leave
/// (registration gone) must never declare anyone dead.
/// </summary>
public sealed class CrashDetectorTests
{
    private static Dictionary<string, bool> Look(params (string Id, bool Holding)[] instances) =>
        instances.ToDictionary(i => i.Id, i => i.Holding, StringComparer.Ordinal);

    [Fact]
    public void A_lock_seen_held_and_then_missing_twice_is_a_crash_reported_once()
    {
        var detector = new CrashDetector();
        Assert.Empty(detector.Observe(1, Look(("a", true), ("b", true))));

        Assert.Empty(detector.Observe(1, Look(("a", false), ("b", true))));
        Assert.Equal(["a"], detector.Observe(1, Look(("a", false), ("b", true))));
        Assert.Empty(detector.Observe(1, Look(("a", false), ("b", true))));
    }

    [Fact]
    public void A_lock_missing_once_and_back_is_not_a_crash()
    {
        var detector = new CrashDetector();
        detector.Observe(1, Look(("a", true)));
        Assert.Empty(detector.Observe(1, Look(("a", false))));
        Assert.Empty(detector.Observe(1, Look(("a", true))));
        Assert.Empty(detector.Observe(1, Look(("a", false))));
        Assert.Equal(["a"], detector.Observe(1, Look(("a", false))));
    }

    [Fact]
    public void An_instance_never_seen_holding_its_lock_is_left_to_its_lease()
    {
        var detector = new CrashDetector();
        for (var i = 0; i < 10; i++)
        {
            Assert.Empty(detector.Observe(1, Look(("starting-or-collided", false))));
        }
    }

    [Fact]
    public void A_new_connection_forgets_every_lock_seen_on_the_old_one()
    {
        // PostgreSQL restarted: every lock dropped with every connection, ours included. Others reconnect at their own
        // pace; until this connection has seen a lock held, its absence says nothing.
        var detector = new CrashDetector();
        detector.Observe(1, Look(("a", true), ("b", true)));
        detector.Observe(1, Look(("a", false), ("b", true)));

        for (var i = 0; i < 5; i++)
        {
            Assert.Empty(detector.Observe(2, Look(("a", false), ("b", false))));
        }

        Assert.Empty(detector.Observe(2, Look(("a", true), ("b", false))));
        Assert.Empty(detector.Observe(2, Look(("a", false), ("b", false))));
        Assert.Equal(["a"], detector.Observe(2, Look(("a", false), ("b", false))));
    }

    [Fact]
    public void An_instance_that_left_its_registration_is_forgotten_not_declared_dead()
    {
        var detector = new CrashDetector();
        detector.Observe(1, Look(("a", true)));
        Assert.Empty(detector.Observe(1, Look()));
        Assert.Empty(detector.Observe(1, Look()));

        // Registered again later (a new instance would have a new id; this is the same id coming back): seen afresh.
        Assert.Empty(detector.Observe(1, Look(("a", false))));
        Assert.Empty(detector.Observe(1, Look(("a", false))));
    }

    [Fact]
    public void Confirmation_needs_the_configured_number_of_looks()
    {
        var detector = new CrashDetector { ConfirmAfter = 3 };
        detector.Observe(7, Look(("a", true)));
        Assert.Empty(detector.Observe(7, Look(("a", false))));
        Assert.Empty(detector.Observe(7, Look(("a", false))));
        Assert.Equal(["a"], detector.Observe(7, Look(("a", false))));
    }
}
