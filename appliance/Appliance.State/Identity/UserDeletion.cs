namespace Appliance.State.Identity;

/// <summary>A deleted user and the nodes removed with them (only when deletion was forced).</summary>
public sealed record UserDeletion(TailnetUser User, IReadOnlyList<long> RemovedNodeIds);
