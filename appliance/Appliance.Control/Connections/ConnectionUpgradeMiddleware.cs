using System.IO.Pipelines;
using Appliance.Protocol.Http;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Control.Connections;

/// <summary>
/// The one Kestrel connection middleware on the HTTP and HTTPS listeners (after TLS, where there is TLS): it peeks at
/// the first request head on the connection's own transport pipe with one <see cref="UpgradeHeadReader"/> and, when
/// a registered <see cref="IConnectionUpgradeTarget"/> accepts the parsed upgrade, consumes the head and lets that
/// target run its protocol straight over the pipe (decision 0115). No HTTP/1.1 request, upgrade stream or
/// stream-to-pipe adapter stays alive under the session (issue 16: copies for DERP, decision 0106; memory for ts2021,
/// decision 0111).
/// <para>Everything else is passed on untouched: the peek marks the bytes examined, never consumed
/// (<c>AdvanceTo(start)</c>), so Kestrel's HTTP parser reads the same bytes and its first read returns at once.</para>
/// <para>Limits: a head that is not complete within Kestrel's RequestHeadersTimeout of its first byte
/// (KeepAliveTimeout while nothing has arrived) aborts the connection, as Kestrel's HTTP layer would have done; a
/// request line for a path no target serves is handed on as soon as its target is read.</para>
/// </summary>
internal sealed class ConnectionUpgradeMiddleware(ConnectionDelegate next, IServiceProvider services, KestrelServerLimits limits)
{
    private readonly Func<ConnectionContext, Task> _http = next.Invoke;

    private Registered? _registered;

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var registered = _registered ??= Registered.From(services);
        if (registered.Targets.Length == 0)
        {
            await _http(connection).ConfigureAwait(false);
            return;
        }

        var session = await ReadUpgradeAsync(connection, registered).ConfigureAwait(false);
        if (session is null)
        {
            return;
        }

        await session(connection).ConfigureAwait(false);
    }

    /// <summary>
    /// The accepting target's session (the head is then consumed); the HTTP pipeline (<c>next</c>) when the bytes are
    /// left to it; null when the connection closed or ran out of time first. The deadline ends here, before the
    /// session runs.
    /// </summary>
    private async Task<Func<ConnectionContext, Task>?> ReadUpgradeAsync(ConnectionContext connection, Registered registered)
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
                var status = registered.Reader.Read(buffer, out var head);
                if (status == UpgradeHeadStatus.NeedMore && !result.IsCompleted && !result.IsCanceled)
                {
                    if (!started && !buffer.IsEmpty)
                    {
                        started = true;
                        deadline.CancelAfter(limits.RequestHeadersTimeout);
                    }

                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                var session = status == UpgradeHeadStatus.Parsed ? ConnectionUpgradeTargets.Choose(registered.Targets, head!, connection) : null;
                if (session is null)
                {
                    input.AdvanceTo(buffer.Start);
                    return _http;
                }

                input.AdvanceTo(buffer.GetPosition(head!.Length));
                return session;
            }
        }
    }

    /// <summary>The targets in registration order and one reader for their paths; read once, on the first connection (DI is complete by then).</summary>
    private sealed record Registered(IConnectionUpgradeTarget[] Targets, UpgradeHeadReader Reader)
    {
        public static Registered From(IServiceProvider services)
        {
            IConnectionUpgradeTarget[] targets = [.. services.GetServices<IConnectionUpgradeTarget>()];
            return new Registered(targets, new UpgradeHeadReader(targets.Select(t => t.Path)));
        }
    }
}
