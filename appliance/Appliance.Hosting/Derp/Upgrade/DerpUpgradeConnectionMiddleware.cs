using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Appliance.Derp.Relay;
using Appliance.Protocol.Derp;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Derp.Upgrade;

/// <summary>
/// A Kestrel connection middleware on the DERP-serving listeners (after TLS, where there is TLS): it peeks at the
/// first request head on the connection's own transport pipe and, when it is a DERP client's upgrade
/// (<see cref="DerpRequestHead"/>), answers <c>101</c> itself and hands that pipe to <see cref="DerpServer.AcceptAsync"/>.
/// The relay's bytes then go socket → Kestrel's transport pipe → relay, with no HTTP/1.1 upgrade stream and no
/// stream-to-pipe adapter in between (two copies and two thread hops fewer per direction: issue 16,
/// docs/benchmarks.md "DERP relay").
/// <para>Everything else is passed on untouched: the peek marks the bytes examined, never consumed, so Kestrel's
/// HTTP parser reads the same bytes (AdvanceTo(start) before handing over, so its first read returns at once).
/// So are DERP upgrades this path must refuse (plain HTTP without derp.allow_plain_http, the relay at capacity or
/// stopping): the /derp endpoint answers them with its status codes and log lines, as before.</para>
/// <para>Limits: a head that is not complete within Kestrel's RequestHeadersTimeout of its first byte (KeepAliveTimeout
/// while nothing has arrived) aborts the connection, as Kestrel's HTTP layer would have done.</para>
/// </summary>
internal sealed class DerpUpgradeConnectionMiddleware(ConnectionDelegate next, IServiceProvider services, KestrelServerLimits limits)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var server = services.GetService<DerpServer>();
        if (server is null)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        if (await IsDerpUpgradeAsync(connection, server).ConfigureAwait(false) is not { } upgrade)
        {
            return;
        }

        if (upgrade)
        {
            await RelayAsync(connection, server).ConfigureAwait(false);
        }
        else
        {
            await next(connection).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// True: the head was a DERP upgrade this path serves, and it is consumed. False: the bytes are left for the HTTP
    /// pipeline. Null: the connection closed or ran out of time first. The deadline ends here, before the relay runs.
    /// </summary>
    private async Task<bool?> IsDerpUpgradeAsync(ConnectionContext connection, DerpServer server)
    {
        var input = connection.Transport.Input;
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        using (var deadline = new CancellationTokenSource(limits.KeepAliveTimeout, time))
        using (deadline.Token.Register(static state => ((ConnectionContext)state!).Abort(new ConnectionAbortedException("the first request head did not arrive in time")), connection))
        {
            var started = false;
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is OperationCanceledException or ConnectionAbortedException or IOException)
                {
                    return null;
                }

                var buffer = result.Buffer;
                var kind = DerpRequestHead.Classify(buffer, out var headLength);
                if (kind == DerpRequestHeadKind.NeedMore && !result.IsCompleted && !result.IsCanceled)
                {
                    if (!started && !buffer.IsEmpty)
                    {
                        started = true;
                        deadline.CancelAfter(limits.RequestHeadersTimeout);
                    }

                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                if (kind != DerpRequestHeadKind.Derp || !MayUpgradeHere(connection, server))
                {
                    input.AdvanceTo(buffer.Start);
                    return false;
                }

                input.AdvanceTo(buffer.GetPosition(headLength));
                return true;
            }
        }
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
