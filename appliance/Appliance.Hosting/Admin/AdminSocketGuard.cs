using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Appliance.Hosting.Admin;

/// <summary>
/// Trust model: the admin API has no authentication of its own. Whoever can open `&lt;data&gt;/admin.sock` (0600,
/// in a 0700 folder: the service user and root; installed, /run/appliance/admin.sock is 0660 for the appliance-admin
/// group) is the operator. The same Kestrel app also listens on TCP for
/// clients, so every admin request must prove it arrived on a Unix socket; anything else gets 403, even from
/// loopback (a local unprivileged user can reach loopback TCP but not the socket).
/// </summary>
public static class AdminSocketGuard
{
    public static bool ArrivedOnUnixSocket(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var local = context.Features.Get<IConnectionEndPointFeature>()?.LocalEndPoint
            ?? context.Features.Get<IConnectionSocketFeature>()?.Socket.LocalEndPoint;
        return local is UnixDomainSocketEndPoint;
    }

    /// <summary>Wraps a handler so it runs only for requests that came over the admin socket.</summary>
    public static RequestDelegate SocketOnly(RequestDelegate handler) => async context =>
    {
        if (!ArrivedOnUnixSocket(context))
        {
            await AdminResponses.WriteErrorAsync(
                context,
                StatusCodes.Status403Forbidden,
                new ErrorDto("the admin API is served only on the local admin socket", "forbidden")).ConfigureAwait(false);
            return;
        }

        // The audit log names the local OS user behind the socket (peer credentials) as the actor.
        Audit.AuditActor.Current = Audit.AuditActor.OfSocketPeer(context);
        await handler(context).ConfigureAwait(false);
    };
}
