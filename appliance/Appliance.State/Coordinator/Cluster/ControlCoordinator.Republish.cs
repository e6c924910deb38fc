namespace Appliance.State.Coordinator;

/// <summary>Presence recorded again after another instance counted this one crashed (State/Cluster/CrashWatch).</summary>
public sealed partial class ControlCoordinator
{
    /// <summary>
    /// Reports every node with a stream here to the cluster again, on the writer so that no connect or disconnect
    /// falls between the list and the reports. Returns how many were reported.
    /// </summary>
    public int RepublishPresence() => Write(() =>
    {
        var count = 0;
        foreach (var nodeId in Streams.StreamingNodes)
        {
            ReportConnected(nodeId);
            count++;
        }

        return count;
    });
}
