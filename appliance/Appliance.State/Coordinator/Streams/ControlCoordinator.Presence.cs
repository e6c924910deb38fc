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

/// <summary>Pre-auth keys checked and consumed by State's <see cref="IdentityService"/>.</summary>
public sealed class IdentityPreAuthKeyAuthority(IdentityService identity) : IPreAuthKeyAuthority
{
    public PreAuthKeyUse TryConsume(string presentedKey, DateTimeOffset now) => identity.TryConsumePreAuthKey(presentedKey, now);
}
