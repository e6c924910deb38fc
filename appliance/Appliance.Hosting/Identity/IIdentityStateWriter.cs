using Appliance.State.Coordinator;
using Appliance.State.Identity;

namespace Appliance.Hosting.Identity;

/// <summary>
/// The one seam through which identity changes reach the tailnet's state: applying the identity file's people,
/// and registering or refusing a waiting login. Today it calls IdentityService and ControlCoordinator directly;
/// once State has its single command API (issue 12) only <see cref="CoordinatorIdentityStateWriter"/> changes.
/// </summary>
public interface IIdentityStateWriter
{
    /// <summary>Makes the users table agree with the file and recompiles the live policy (groups, roles).</summary>
    PeopleApplyResult ApplyPeople(IReadOnlyList<PersonEntry> people, bool expireNodesOfDisabled);

    /// <summary>Registers waiting login <paramref name="registrationId"/> as a node of <paramref name="login"/>.</summary>
    RegistrationApproval Register(string registrationId, string login);

    /// <summary>Refuses waiting login <paramref name="registrationId"/>; the client is told <paramref name="reason"/>.</summary>
    bool Reject(string registrationId, string reason);

    /// <summary>A login still waiting, for the login page to name the machine.</summary>
    PendingRegistration? FindPending(string registrationId);
}
