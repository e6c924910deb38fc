namespace Appliance.State.Coordinator;

/// <summary>What an approval did; <see cref="Node"/> is the node created (or re-bound) when Approved.</summary>
public sealed record RegistrationApproval(ApprovalStatus Status, NodeEntry? Node);

public enum ApprovalStatus
{
    Approved,
    RegistrationNotFound,
    UserNotFound,
    Failed,
}
