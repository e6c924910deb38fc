using Appliance.State.Coordinator;
using Appliance.Storage.Cluster;

namespace Appliance.State.Cluster;

/// <summary>
/// <see cref="IRunOnceLease"/> on the shared database's <c>ha_leases</c>: the holder renews its lease every time it
/// does the work (each heartbeat), so it keeps it while alive; a crashed holder's lease runs out after
/// <see cref="Duration"/> and the next instance to ask takes it.
/// </summary>
internal sealed class DatabaseRunOnceLease(LeaseStore store, string holder, TimeProvider time) : IRunOnceLease
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    public bool TryTake(string work)
    {
        var now = time.GetUtcNow();
        return store.TryAcquire(work, holder, now, now + Duration);
    }

    /// <summary>Gives <paramref name="work"/> up at a clean stop, so another instance takes it at once.</summary>
    public void Release(string work) => store.Release(work, holder);
}
