using System.Net;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Admission;

/// <summary>
/// Adapts a lookup owned elsewhere (State's "is this node key registered and unexpired?") to <see cref="IDerpAdmission"/>,
/// so that State need not reference the relay. The lookup must be cheap and non-blocking: it runs on each DERP handshake.
/// </summary>
public sealed class DelegateDerpAdmission(Func<NodePublic, bool> isAllowed) : IDerpAdmission
{
    private readonly Func<NodePublic, bool> _isAllowed = isAllowed ?? throw new ArgumentNullException(nameof(isAllowed));

    public ValueTask<DerpAdmissionDecision> CheckAsync(NodePublic node, IPEndPoint? remote, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_isAllowed(node) ? DerpAdmissionDecision.Allowed : DerpAdmissionDecision.Refused);
}
