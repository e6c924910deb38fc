using System.Net;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Admission;

/// <summary>Admits every key that proves possession of its private key (derper without --verify-clients). Only for <c>verify_clients: false</c>.</summary>
public sealed class AllowAllDerpAdmission : IDerpAdmission
{
    public static AllowAllDerpAdmission Instance { get; } = new();

    public ValueTask<DerpAdmissionDecision> CheckAsync(NodePublic node, IPEndPoint? remote, CancellationToken cancellationToken) =>
        ValueTask.FromResult(DerpAdmissionDecision.Allowed);
}
