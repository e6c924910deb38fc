using Appliance.State.Identity;
using Appliance.State.Nodes;
using Appliance.Storage.Stores;

namespace Appliance.State.Coordinator;

/// <summary>The coordinator is the running service's <see cref="INodePresence"/>: online = holds a map stream.</summary>
public sealed partial class ControlCoordinator : INodePresence
{
    public bool? IsOnline(long nodeId) => Streams.HasStream(nodeId);
}

/// <summary>Pre-auth keys checked and consumed by State's <see cref="IdentityService"/>.</summary>
public sealed class IdentityPreAuthKeyAuthority(IdentityService identity) : IPreAuthKeyAuthority
{
    public PreAuthKeyUse TryConsume(string presentedKey, DateTimeOffset now) => identity.TryConsumePreAuthKey(presentedKey, now);
}
