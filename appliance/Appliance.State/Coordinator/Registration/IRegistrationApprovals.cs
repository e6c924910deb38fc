namespace Appliance.State.Coordinator;

/// <summary>
/// Interactive registrations waiting for an operator (docs/wire/control.md "/machine/register"). They are stored in
/// the database (shared by every appliance on it), but a client holds a long poll on each in a running service, so
/// only the running <see cref="ControlCoordinator"/> implements this; the admin API answers "service not running"
/// without it.
/// </summary>
public interface IRegistrationApprovals
{
    /// <summary>Registrations still waiting, oldest first.</summary>
    IReadOnlyList<PendingRegistration> ListPending();

    /// <summary>Admits the machine as a node of <paramref name="userName"/>; <paramref name="id"/> may be the registration id or its AuthURL.</summary>
    RegistrationApproval Approve(string id, string userName);

    /// <summary>Refuses a waiting login; its client is told <paramref name="reason"/>. False when nothing waits under <paramref name="id"/>.</summary>
    bool Reject(string id, string reason);
}
