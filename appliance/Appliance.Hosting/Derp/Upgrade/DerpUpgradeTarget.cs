using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using Appliance.Control.Connections;
using Appliance.Derp.Relay;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Http;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Derp.Upgrade;

/// <summary>
/// DERP on the connection-level dispatcher (Control/Connections, decision 0115): takes the upgrade head Tailscale's
/// DERP client writes on a fresh connection (derphttp/derphttp_client.go connect: <c>GET /derp HTTP/1.1</c>,
/// <c>Upgrade: DERP</c>, <c>Connection: Upgrade</c>; our mesh dialer writes the same), answers <c>101</c> and hands
/// the transport pipe to <see cref="DerpServer.AcceptAsync"/>. The relay's bytes then go socket → Kestrel's transport
/// pipe → relay, with no HTTP/1.1 upgrade stream and no stream-to-pipe adapter in between (two copies and two thread
/// hops fewer per direction: decision 0106, docs/benchmarks.md "DERP relay").
/// <para>Upgrades this path must refuse go to the /derp endpoint, which answers them with its status codes and log
/// lines as before: plain HTTP without derp.allow_plain_http, the relay at capacity or stopping; so do WebSockets.</para>
/// </summary>
public sealed class DerpUpgradeTarget(IServiceProvider services) : IConnectionUpgradeTarget
{
    public string Path => "/derp";

    public Func<ConnectionContext, Task>? Accept(UpgradeRequestHead head, ConnectionContext connection)
    {
        if (!IsDerpUpgrade(head) || services.GetService<DerpServer>() is not { } server || !MayUpgradeHere(connection, server))
        {
            return null;
        }

        return c => RelayAsync(c, server);
    }

    /// <summary>A DERP client's head: <c>GET</c> with <c>Upgrade: DERP</c> (any letter case; anything else, such as websocket, is the endpoint's).</summary>
    public static bool IsDerpUpgrade(UpgradeRequestHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        return head.Method == "GET" && string.Equals(head.Upgrade, "DERP", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The refusals of <see cref="DerpUpgradeEndpoint"/> stay there: plain HTTP, capacity, stopping.</summary>
    private bool MayUpgradeHere(ConnectionContext connection, DerpServer server) =>
        (connection.Features.Get<ITlsHandshakeFeature>() is not null || services.GetRequiredService<DerpHttpSettings>().AllowPlainHttp)
        && !server.IsAtCapacity && !server.IsStopping;

    private async Task RelayAsync(ConnectionContext connection, DerpServer server)
    {
        // The same answer as derper's handler (derp/derpserver/handler.go) and our /derp endpoint: no fast start.
        var answer = string.Create(CultureInfo.InvariantCulture,
            $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: DERP\r\nConnection: Upgrade\r\nDerp-Version: {DerpConstants.ProtocolVersion}\r\nDerp-Public-Key: {Convert.ToHexStringLower(server.PublicKey.Raw)}\r\n\r\n");
        var output = connection.Transport.Output;
        output.Write(Encoding.ASCII.GetBytes(answer));
        var flushed = await output.FlushAsync(connection.ConnectionClosed).ConfigureAwait(false);
        if (flushed.IsCompleted || flushed.IsCanceled)
        {
            return;
        }

        var remote = connection.RemoteEndPoint as IPEndPoint;
        await DerpUpgradeEndpoint.RelayAsync(server, connection.Transport, remote, services, connection.ConnectionClosed).ConfigureAwait(false);
    }
}
