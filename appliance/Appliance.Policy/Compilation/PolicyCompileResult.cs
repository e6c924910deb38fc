using Appliance.Policy.Model;

namespace Appliance.Policy.Compilation;

/// <summary>A compiled policy, or why the policy was rejected (syntax, validation, or failing tests).</summary>
public sealed record PolicyCompileResult(CompiledPolicy? Policy, IReadOnlyList<PolicyError> Errors)
{
    public bool Success => Policy is not null;
}
