using Appliance.State.Identity;

namespace Appliance.State.Commands;

/// <summary>
/// The serialized writer every change to tailnet data runs on: in the service and in the CLI's direct mode, the
/// <see cref="Coordinator.ControlCoordinator"/>. Users, pre-auth keys and the policy write their own tables inside
/// <see cref="Run{T}"/>, so their writes are ordered with node commands, and the returned
/// <see cref="TailnetEffect"/> reaches the snapshot and every connected stream in the same step. A write the
/// database refuses (read-only, full) becomes <see cref="OperationStatus.Unavailable"/> and changes nothing.
/// </summary>
public interface ITailnetWriter
{
    OperationResult<T> Run<T>(string command, Func<OperationResult<T>> write, Func<T, TailnetEffect>? effect = null);
}

/// <summary>What a committed users/keys write did to the tailnet the snapshot holds.</summary>
public sealed record TailnetEffect
{
    public static TailnetEffect None { get; } = new();

    /// <summary>A user whose name or profile changed: nodes it owns are re-sent to peers.</summary>
    public TailnetUser? UserSaved { get; init; }

    /// <summary>Several users saved in one command (the identity file's people): each as <see cref="UserSaved"/>.</summary>
    public IReadOnlyList<TailnetUser> UsersSaved { get; init; } = [];

    /// <summary>A deleted user.</summary>
    public long? UserDeleted { get; init; }

    /// <summary>Nodes deleted with it (their streams end; peers get PeersRemoved).</summary>
    public IReadOnlyList<long> NodesDeleted { get; init; } = [];
}
