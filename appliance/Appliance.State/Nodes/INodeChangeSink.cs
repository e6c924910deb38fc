namespace Appliance.State.Nodes;

/// <summary>
/// Told after every committed write to `nodes` made outside the control path (operator verbs, user deletion), so
/// the coordinator can refresh its in-memory snapshot and push the change to connected peers at once.
/// Called synchronously after the database commit, on the caller's thread: implementations must be quick and must
/// not throw (queue the work). The default is <see cref="NullNodeChangeSink"/>.
/// </summary>
public interface INodeChangeSink
{
    /// <summary>These nodes' rows changed (re-read them from the database).</summary>
    void NodesChanged(IReadOnlyCollection<long> ids);

    /// <summary>These nodes no longer exist.</summary>
    void NodesRemoved(IReadOnlyCollection<long> ids);
}

/// <summary>Does nothing: for the CLI working on the database directly, and for tests.</summary>
public sealed class NullNodeChangeSink : INodeChangeSink
{
    public static NullNodeChangeSink Instance { get; } = new();

    public void NodesChanged(IReadOnlyCollection<long> ids)
    {
    }

    public void NodesRemoved(IReadOnlyCollection<long> ids)
    {
    }
}
