using Appliance.Protocol.Http;
using Microsoft.AspNetCore.Connections;

namespace Appliance.Control.Connections;

/// <summary>
/// A protocol that takes over a connection whose first request head is an HTTP/1.1 upgrade to it (ts2021 → Noise,
/// DERP → relay). Registered in DI (<c>TryAddEnumerable</c>) by the area that owns the protocol; the one
/// <see cref="ConnectionUpgradeMiddleware"/> on each listener reads the head once and asks each target in turn.
/// </summary>
public interface IConnectionUpgradeTarget
{
    /// <summary>The request target this protocol is upgraded on, such as <c>/ts2021</c>; matched exactly.</summary>
    string Path { get; }

    /// <summary>
    /// Decides on the parsed head (and the connection's features, such as TLS). Null: not taken here, and the bytes go
    /// untouched to the HTTP pipeline, whose endpoint answers them as before (its refusals, the WebSocket variants).
    /// Otherwise the session to run once the head is consumed: it answers <c>101</c> itself and owns the connection's
    /// transport until it returns. Must not throw for anything a client sends.
    /// </summary>
    Func<ConnectionContext, Task>? Accept(UpgradeRequestHead head, ConnectionContext connection);
}
