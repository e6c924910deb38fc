using Appliance.State.Identity;
using Appliance.State.Nodes;

namespace Appliance.State.Coordinator;

/// <summary>
/// The coordinator is the running service's <see cref="INodePresence"/>: online = holds a map stream here or, with
/// several appliances on one database, on another live instance (docs/ops/ha.md). Route failover and anything else
/// choosing by node health reads this (or <c>NodeEntry.Online</c> in the snapshot, which is the same).
/// </summary>
public sealed partial class ControlCoordinator : INodePresence
{
    public bool? IsOnline(long nodeId) => Streams.HasStream(nodeId) || Volatile.Read(ref _onlineElsewhere).Contains(nodeId);
}

/// <summary>
/// Pre-auth keys checked and claimed by State's <see cref="IdentityService"/>. The claim's transaction spans the
/// node write only when the node repository writes the same database (Hosting's AddTailnetRepositories builds both
/// over the one ApplianceDatabase).
/// </summary>
public sealed class IdentityPreAuthKeyAuthority(IdentityService identity) : IPreAuthKeyAuthority
{
    public PreAuthKeyUse Check(string presentedKey, DateTimeOffset now) => identity.CheckPreAuthKey(presentedKey, now);

    public ClaimedWrite<T> WriteClaiming<T>(PreAuthKey key, DateTimeOffset now, Func<WriteResult<T>> write)
        where T : class => identity.WriteClaimingPreAuthKey(key, now, write);
}
