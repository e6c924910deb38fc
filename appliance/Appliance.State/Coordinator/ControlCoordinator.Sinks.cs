using Appliance.State.Identity;
using Appliance.State.Nodes;
using Appliance.Storage.Stores;

namespace Appliance.State.Coordinator;

/// <summary>
/// The coordinator is the running service's <see cref="INodeChangeSink"/> (operator verbs through NodeService reach
/// connected peers at once) and <see cref="INodePresence"/> (online = holds a map stream).
/// </summary>
public sealed partial class ControlCoordinator : INodeChangeSink, INodePresence
{
    /// <summary>Queued, as the sink contract asks: the caller is inside a database write path.</summary>
    public void NodesChanged(IReadOnlyCollection<long> ids) => QueueReload(ids);

    public void NodesRemoved(IReadOnlyCollection<long> ids) => QueueReload(ids);

    public bool? IsOnline(long nodeId) => Sessions.Values.Any(s => s.NodeId == nodeId);

    private void QueueReload(IReadOnlyCollection<long> ids)
    {
        var copy = ids.ToArray();
        ThreadPool.QueueUserWorkItem(_ => Reload(copy));
    }
}

/// <summary>Pre-auth keys checked and consumed by State's <see cref="IdentityService"/>.</summary>
public sealed class IdentityPreAuthKeyAuthority(IdentityService identity) : IPreAuthKeyAuthority
{
    public PreAuthKeyUse TryConsume(string presentedKey, DateTimeOffset now) => identity.TryConsumePreAuthKey(presentedKey, now);
}
