using Appliance.Hosting.Admin;
using Appliance.Policy.Compilation;
using Appliance.State.Identity;
using Appliance.State.Policy;
using Appliance.Storage.Database;

namespace Appliance.Hosting.Policy;

/// <summary>
/// The policy verbs on the database alone, for the CLI when the service is stopped: validate against the stored
/// tailnet, append a version (the service applies the newest at its next start). Refuses `set` when the
/// configuration names a policy file, as the service does.
/// </summary>
public sealed class StoredPolicyAdministration(ApplianceDatabase database, PolicyVersions versions, string? policyFile) : IPolicyAdministration
{

    public OperationResult<PolicyDto> Current()
    {
        if (policyFile is not null)
        {
            try
            {
                var text = File.ReadAllText(policyFile);
                return OperationResult.Ok(new PolicyDto(text, null, "file:" + policyFile, PolicyText.Sha256(text), null));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return OperationResult.NotFound<PolicyDto>($"policy.file {policyFile} cannot be read: {e.Message}");
            }
        }

        return versions.Latest() is { } latest
            ? OperationResult.Ok(new PolicyDto(latest.Text, latest.Id, latest.Source, latest.Sha256, latest.CreatedAt))
            : OperationResult.NotFound<PolicyDto>("no policy is set: every node may reach every other (allow-all)");
    }

    public OperationResult<PolicyDto> Replace(string text, string origin)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (policyFile is not null)
        {
            return OperationResult.Conflict<PolicyDto>(
                $"the policy comes from policy.file ({policyFile}): edit that file instead, or remove policy.file from the configuration to keep the policy in the database");
        }

        var result = CompiledPolicy.Compile(text, Topology(), CompileOptions.Default);
        if (!result.Success)
        {
            return OperationResult.Invalid<PolicyDto>(PolicyErrors.Format(result.Errors));
        }

        var recorded = versions.Record(text, origin);
        if (!recorded.IsOk)
        {
            return OperationResult.Failure<PolicyVersion, PolicyDto>(recorded);
        }

        var stored = recorded.Value;
        return OperationResult.Ok(new PolicyDto(stored.Text, stored.Id, stored.Source, stored.Sha256, stored.CreatedAt));
    }

    public OperationResult<PolicyCheckDto> Check(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var topology = Topology();
        var result = CompiledPolicy.Compile(text, topology, CompileOptions.Default);
        return result.Success
            ? OperationResult.Ok(new PolicyCheckDto(true, topology.Nodes.Count))
            : OperationResult.Invalid<PolicyCheckDto>(PolicyErrors.Format(result.Errors));
    }

    private PolicyTopology Topology() => PolicyTopologyBuilder.FromDatabase(database);
}
