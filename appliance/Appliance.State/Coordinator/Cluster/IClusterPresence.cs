namespace Appliance.State.Coordinator;

/// <summary>
/// Where the coordinator reports that a node's first stream opened or its last closed on this instance, so other
/// appliances on the same database count it online (State/Cluster/ClusterSync over Storage's PresenceStore).
/// Called on the writer; a failure is the caller's to guard.
/// </summary>
public interface IClusterPresence
{
    void Connected(long nodeId);

    void Disconnected(long nodeId);
}
