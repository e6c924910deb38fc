using Appliance.Protocol.Http;
using Microsoft.AspNetCore.Connections;

namespace Appliance.Control.Connections;

/// <summary>
/// The one rule for which registered <see cref="IConnectionUpgradeTarget"/> takes a parsed upgrade head: the first, in
/// registration order, on the head's path that accepts it. Shared by the connection-upgrade dispatcher and the DERP
/// listener on its own sockets (Hosting/Derp/Sockets, decision 0119), so both decide alike.
/// </summary>
public static class ConnectionUpgradeTargets
{
    /// <summary>The session of the first target on <paramref name="head"/>'s path that takes it, or null.</summary>
    public static Func<ConnectionContext, Task>? Choose(IReadOnlyList<IConnectionUpgradeTarget> targets, UpgradeRequestHead head, ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(head);
        foreach (var target in targets)
        {
            if (string.Equals(target.Path, head.Target, StringComparison.Ordinal) && target.Accept(head, connection) is { } session)
            {
                return session;
            }
        }

        return null;
    }
}
