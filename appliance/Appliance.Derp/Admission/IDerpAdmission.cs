using System.Net;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Admission;

/// <summary>Outcome of asking whether a node key may use the relay.</summary>
public enum DerpAdmissionDecision
{
    Allowed,

    /// <summary>Not a node of this appliance (unknown, deleted or expired): the connection is closed and counted.</summary>
    Refused,
}

/// <summary>
/// Decides which node keys may use the relay (Tailscale's derper <c>--verify-clients</c>). Production: State implements
/// it with "registered and unexpired on this appliance". When State later deletes or expires a node it calls
/// <see cref="Relay.DerpServer.Disconnect"/>, so the decision is enforced for open connections too.
/// Called once per connection, after the ClientInfo box has opened (so the key is proven), before ServerInfo.
/// </summary>
public interface IDerpAdmission
{
    ValueTask<DerpAdmissionDecision> CheckAsync(NodePublic node, IPEndPoint? remote, CancellationToken cancellationToken);
}
