using Appliance.State.Coordinator;
using Appliance.State.Identity;

namespace Appliance.Hosting.Identity;

/// <summary>Today's <see cref="IIdentityStateWriter"/>: IdentityService for users, the coordinator for logins and the policy.</summary>
public sealed class CoordinatorIdentityStateWriter(IdentityService identity, ControlCoordinator coordinator) : IIdentityStateWriter
{
    private readonly Lock _gate = new();

    public PeopleApplyResult ApplyPeople(IReadOnlyList<PersonEntry> people, bool expireNodesOfDisabled)
    {
        lock (_gate)
        {
            var result = identity.ApplyPeople(people);
            if (expireNodesOfDisabled && result.NewlyDisabled.Count > 0)
            {
                var ids = result.NewlyDisabled.Select(u => u.Id).ToHashSet();
                foreach (var node in coordinator.Snapshot.Nodes.Values.Where(n => n.Record.UserId is { } u && ids.Contains(u)))
                {
                    coordinator.Expire(node.Record.Id);
                }
            }

            // Groups and roles are part of the topology the policy compiles against: recompile the live policy.
            if (coordinator.Snapshot.Policy.Source is { } source)
            {
                coordinator.ApplyPolicy(source);
            }

            return result;
        }
    }

    public RegistrationApproval Register(string registrationId, string login) => coordinator.Approve(registrationId, login);

    public bool Reject(string registrationId, string reason) => coordinator.Reject(registrationId, reason);

    public PendingRegistration? FindPending(string registrationId) => coordinator.FindPending(registrationId);
}
