namespace Appliance.State.Nodes;

/// <summary>
/// Whether a node currently holds a map long-poll: known only to the running coordinator, which implements this.
/// The default, <see cref="UnknownNodePresence"/>, answers null (unknown), as the CLI does when the service is stopped.
/// </summary>
public interface INodePresence
{
    bool? IsOnline(long nodeId);
}

public sealed class UnknownNodePresence : INodePresence
{
    public static UnknownNodePresence Instance { get; } = new();

    public bool? IsOnline(long nodeId) => null;
}
