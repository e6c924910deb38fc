using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;

namespace Appliance.State.Coordinator;

/// <summary>
/// The coordinator's registration members, forwarded to its <see cref="RegistrationFlow"/> (Control's handlers, the
/// admin API and the console call them here; the flow runs its changes on this coordinator's writer).
/// </summary>
public sealed partial class ControlCoordinator : IRegistrationApprovals
{
    /// <summary>The registration flow: register decisions and interactive approvals.</summary>
    public RegistrationFlow Registrations { get; }

    public IReadOnlyCollection<PendingRegistration> PendingRegistrations => Registrations.PendingRegistrations;

    public RegisterOutcome Register(MachinePublic machine, RegisterRequest request) => Registrations.Register(machine, request);

    public RegisterOutcome NewAuthUrl(MachinePublic machine, RegisterRequest request) => Registrations.NewAuthUrl(machine, request);

    public IReadOnlyList<PendingRegistration> ListPending() => Registrations.ListPending();

    public ApprovalStatus ApproveRegistration(string id, string userName) => Registrations.ApproveRegistration(id, userName);

    public RegistrationApproval Approve(string id, string userName) => Registrations.Approve(id, userName);

    public bool Reject(string id, string reason) => Registrations.Reject(id, reason);

    public PendingRegistration? FindPending(string id) => Registrations.FindPending(id);
}
