using Appliance.Hosting.Admin;
using Appliance.State.Identity;

namespace Appliance.Hosting.Policy;

/// <summary>
/// The policy verbs behind the admin API: <see cref="PolicyService"/> in the running service (changes apply live),
/// <see cref="StoredPolicyAdministration"/> when the CLI works on the database with the service stopped.
/// Refusals carry every error as <c>LINE:COLUMN: reason</c>, one per line.
/// </summary>
public interface IPolicyAdministration
{
    /// <summary>The live (or, with the service stopped, the stored) policy; NotFound when none is set.</summary>
    OperationResult<PolicyDto> Current();

    /// <summary>Validates against the current tailnet, runs the tests, then stores a version and (in the service) applies it.</summary>
    OperationResult<PolicyDto> Replace(string text, string origin);

    /// <summary>Validates and runs the tests against the current tailnet; changes nothing.</summary>
    OperationResult<PolicyCheckDto> Check(string text);
}
