using System.Text.Json;
using Appliance.Policy.Compilation;

namespace Appliance.Conformance.Saas;

/// <summary>
/// One scenario of ../shared/conformance/tailscale-saas (format in that folder's README): a policy, a tailnet of
/// users and nodes, and what Tailscale's control plane sent each node (or that it rejected the policy).
/// </summary>
public sealed record SaasScenario(
    string Id,
    string Category,
    string Path,
    string PolicyText,
    bool Accepted,
    string RejectionMessage,
    PolicyTopology Topology,
    IReadOnlyDictionary<string, long> NodeIds,
    IReadOnlyDictionary<string, JsonElement> Expect);
