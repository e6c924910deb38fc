using System.Net;
using System.Net.WebSockets;
using Appliance.Control.Diagnostics;
using Appliance.Derp.Relay;
using Appliance.Protocol.Derp;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Derp;

/// <summary>
/// <c>GET /derp</c> (tailscale derp/derpserver/handler.go): the HTTP upgrade into DERP, then the relay.
/// <list type="bullet">
/// <item><c>Upgrade: DERP</c> (any case): 101 with <c>Upgrade: DERP</c>, <c>Connection: Upgrade</c>, <c>Derp-Version: 2</c>,
/// <c>Derp-Public-Key: &lt;hex&gt;</c>, then DERP on the raw stream. No fast start: we never add a meta certificate.</item>
/// <item><c>Upgrade: websocket</c> with subprotocol <c>derp</c>: a WebSocket whose binary messages carry the same bytes
/// (needs <c>app.UseWebSockets()</c>); without the subprotocol it is treated as raw DERP, as upstream does.</item>
/// <item>Anything else: 426. At capacity or stopping: 503, before upgrading.</item>
/// <item>Over plain HTTP: 403 unless <c>derp.allow_plain_http</c>. derper serves DERP on its TLS listener only (its
/// port-80 listener answers /generate_204 and redirects), and release clients always dial DERP with TLS.</item>
/// </list>
/// </summary>
internal static class DerpUpgradeEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var server = context.RequestServices.GetRequiredService<DerpServer>();
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Appliance.Derp");
        if (!context.Request.IsHttps && !context.RequestServices.GetRequiredService<DerpHttpSettings>().AllowPlainHttp)
        {
            DerpLog.UpgradeRefused(logger, context.Connection.RemoteIpAddress, "plain HTTP (derp.allow_plain_http is false)");
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("DERP is served over HTTPS only", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var upgrade = context.Request.Headers.Upgrade.ToString();
        var isDerp = upgrade.Equals("derp", StringComparison.OrdinalIgnoreCase);
        var isWebSocket = context.WebSockets.IsWebSocketRequest || upgrade.Contains("websocket", StringComparison.OrdinalIgnoreCase);
        if (!isDerp && !isWebSocket)
        {
            DerpLog.UpgradeRefused(logger, context.Connection.RemoteIpAddress, "no DERP upgrade header");
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            await context.Response.WriteAsync("DERP requires connection upgrade", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (server.IsAtCapacity || server.IsStopping)
        {
            DerpLog.UpgradeRefused(logger, context.Connection.RemoteIpAddress, server.IsStopping ? "stopping" : "at capacity");
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        Stream stream;
        if (isWebSocket && context.WebSockets.IsWebSocketRequest && context.WebSockets.WebSocketRequestedProtocols.Contains("derp"))
        {
            var socket = await context.WebSockets.AcceptWebSocketAsync("derp").ConfigureAwait(false);
            stream = WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true);
        }
        else
        {
            var feature = context.Features.Get<IHttpUpgradeFeature>();
            if (feature is null || !feature.IsUpgradableRequest)
            {
                DerpLog.UpgradeRefused(logger, context.Connection.RemoteIpAddress, "connection cannot be upgraded (HTTP/2?)");
                context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
                return;
            }

            var headers = context.Response.Headers;
            headers.Upgrade = "DERP";
            headers.Connection = "Upgrade";
            headers["Derp-Version"] = DerpConstants.ProtocolVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers["Derp-Public-Key"] = Convert.ToHexStringLower(server.PublicKey.Raw);
            stream = await feature.UpgradeAsync().ConfigureAwait(false);
        }

        var remote = context.Connection.RemoteIpAddress is { } address ? new IPEndPoint(address, context.Connection.RemotePort) : null;
        await using (stream.ConfigureAwait(false))
        {
            await RelayAsync(server, new StreamDuplexPipe(stream), remote, context.RequestServices, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs an upgraded connection through the relay and logs how it ended; shared with the raw-transport path
    /// (<see cref="Upgrade.DerpUpgradeTarget"/>). Never throws for what a client does.
    /// </summary>
    internal static async Task RelayAsync(DerpServer server, System.IO.Pipelines.IDuplexPipe pipe, IPEndPoint? remote, IServiceProvider services, CancellationToken cancellationToken)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Appliance.Derp");
        try
        {
            var reason = await server.AcceptAsync(pipe, remote, cancellationToken).ConfigureAwait(false);
            DerpLog.ConnectionEnded(logger, remote, reason);
            if (reason == DerpCloseReason.MeshKeyRejected)
            {
                DerpLog.MeshKeyRejected(logger, remote);
            }

            if (reason is DerpCloseReason.HandshakeFailed or DerpCloseReason.HandshakeTimeout or DerpCloseReason.NotAdmitted or DerpCloseReason.ProtocolError)
            {
                services.GetService<ClientRefusalSummary>()?.Record($"derp: {reason}");
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            DerpLog.ConnectionFailed(logger, remote, exception);
        }
    }
}
