using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Control.Noise;

/// <summary>
/// A Kestrel connection middleware on the listeners that serve <c>/ts2021</c>: it peeks at the first request head on
/// the connection's own transport pipe and, when it is a Tailscale client's control upgrade
/// (<see cref="Ts2021RequestHead"/>), answers <c>101</c> itself and runs the Noise session straight over that pipe
/// (<see cref="NoiseUpgradeHandler.RunSessionAsync(ConnectionContext, byte[])"/>). Issue 16: through the HTTP/1.1
/// upgrade every connected node kept a second Kestrel connection alive under its HTTP/2 one (the HTTP/1.1 protocol
/// object, its request and response state, the upgrade stream and a stream-to-pipe adapter), for nothing but to
/// carry bytes. The same approach as the DERP relay's upgrade (Hosting/Derp/Upgrade, decision 0106).
/// <para>Everything else is passed on untouched: the peek marks the bytes examined, never consumed, so Kestrel's HTTP
/// parser reads the same bytes, and <see cref="NoiseUpgradeHandler.HandleAsync"/> answers them as before (refusals,
/// the WebSocket variant, a 503 while the Noise endpoint is not bound).</para>
/// <para>Limits: a head that is not complete within Kestrel's RequestHeadersTimeout of its first byte (KeepAliveTimeout
/// while nothing has arrived) aborts the connection, as Kestrel's HTTP layer would have done.</para>
/// </summary>
internal sealed class NoiseUpgradeConnectionMiddleware(ConnectionDelegate next, IServiceProvider services, KestrelServerLimits limits)
{
    // What Kestrel wrote for the handler's 101 (Date aside); the client checks the status and the Upgrade value
    // (controlhttp/client.go).
    private static readonly byte[] SwitchingProtocols =
        System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: {NoiseUpgradeHandler.UpgradeValue}\r\n\r\n");

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var handler = services.GetService<NoiseUpgradeHandler>();
        var queue = services.GetService<NoiseConnectionHandoff>();
        if (handler is null || queue is null)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        var initiation = await ReadUpgradeAsync(connection, queue).ConfigureAwait(false);
        if (initiation is null)
        {
            return;
        }

        if (initiation.Length == 0)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        var output = connection.Transport.Output;
        output.Write(SwitchingProtocols);
        FlushResult flushed;
        try
        {
            flushed = await output.FlushAsync(connection.ConnectionClosed).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ConnectionAbortedException or IOException)
        {
            return;
        }

        if (flushed.IsCompleted || flushed.IsCanceled)
        {
            return;
        }

        await handler.RunSessionAsync(connection, initiation).ConfigureAwait(false);
    }

    /// <summary>
    /// The initiation when the head was a ts2021 upgrade this path serves (the head is then consumed); empty when the
    /// bytes are left for the HTTP pipeline; null when the connection closed or ran out of time first. The deadline
    /// ends here, before the session runs.
    /// </summary>
    private async Task<byte[]?> ReadUpgradeAsync(ConnectionContext connection, NoiseConnectionHandoff queue)
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
                var kind = Ts2021RequestHead.Classify(buffer, out var headLength, out var initiation);
                if (kind == Ts2021RequestHeadKind.NeedMore && !result.IsCompleted && !result.IsCanceled)
                {
                    if (!started && !buffer.IsEmpty)
                    {
                        started = true;
                        deadline.CancelAfter(limits.RequestHeadersTimeout);
                    }

                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                // Not bound yet (or any more): the handler's 503 and its log line, as before.
                if (kind != Ts2021RequestHeadKind.Upgrade || !queue.IsListening)
                {
                    input.AdvanceTo(buffer.Start);
                    return [];
                }

                input.AdvanceTo(buffer.GetPosition(headLength));
                return initiation;
            }
        }
    }
}
