using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Appliance.Control.Connections;
using Appliance.Protocol.Http;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Derp.Sockets;

/// <summary>
/// The plain HTTP listener's own socket (decision 0119). Each accepted connection's first request head is peeked
/// (<see cref="DerpSocketHead"/>); a DERP upgrade that the DERP target takes (<c>GET /derp</c>, <c>Upgrade: DERP</c>,
/// the relay neither full nor stopping) runs on the socket through <see cref="DerpSocketConnection"/>: 64 KiB reads
/// and one send per flushed batch, straight from the relay's loops, instead of Kestrel's 4 KiB reads into its pipes
/// and its own receive and send loops (docs/benchmarks.md, "Issue 16, derp helper (session 8)"). Every other
/// connection (ordinary requests, ts2021, WebSockets, refused upgrades) is made a Kestrel socket connection with the
/// bytes still unread and returned from <see cref="AcceptAsync"/>, so Kestrel's HTTP layer, its limits and the
/// connection-upgrade dispatcher see it as before.
/// </summary>
internal sealed class DerpSocketListener : IConnectionListener
{
    private readonly IPEndPoint _endpoint;
    private readonly SocketTransportOptions _transport;
    private readonly SocketConnectionContextFactory _kestrel;
    private readonly DerpSocketHead _head;
    private readonly Lazy<IConnectionUpgradeTarget[]> _targets;
    private readonly ILogger _logger;
    private readonly Channel<ConnectionContext> _accepted = Channel.CreateUnbounded<ConnectionContext>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _unbind = new();
    private readonly ConcurrentDictionary<Socket, byte> _owned = new();
    private Socket? _listen;
    private Task _acceptLoop = Task.CompletedTask;
    private int _unbound;

    public DerpSocketListener(IPEndPoint endpoint, SocketTransportOptions transport, SocketConnectionContextFactory kestrel, DerpSocketHead head, IServiceProvider services, ILogger logger)
    {
        _endpoint = endpoint;
        EndPoint = endpoint;
        _transport = transport;
        _kestrel = kestrel;
        _head = head;
        // Resolved once, on the first parsed head (DI is complete by then), not per connection.
        _targets = new(() => [.. services.GetServices<IConnectionUpgradeTarget>()]);
        _logger = logger;
    }

    public EndPoint EndPoint { get; private set; }

    /// <summary>Binds and listens as Kestrel's socket transport does (SocketConnectionListener.Bind: IPv6Any is dual-mode), then starts accepting.</summary>
    public void Bind()
    {
        var socket = new Socket(_endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (_endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            try
            {
                socket.Bind(_endpoint);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                throw new AddressInUseException(e.Message, e);
            }

            EndPoint = socket.LocalEndPoint!;
            socket.Listen(_transport.Backlog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _listen = socket;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _accepted.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is ChannelClosedException or OperationCanceledException)
        {
            return null;
        }
    }

    public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _unbound, 1) != 0)
        {
            return;
        }

        await _unbind.CancelAsync().ConfigureAwait(false);
        _listen?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        _ = _accepted.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        await UnbindAsync().ConfigureAwait(false);

        // Connections accepted but not yet taken by Kestrel, and the sockets this listener still owns (heads being
        // peeked, DERP sessions: the relay ends those on its own stop, before the server disposes its listeners).
        while (_accepted.Reader.TryRead(out var pending))
        {
            await pending.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var socket in _owned.Keys)
        {
            socket.Dispose();
        }

        _kestrel.Dispose();
        _unbind.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var token = _unbind.Token;
        while (!token.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listen!.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException exception) when (exception.SocketErrorCode == SocketError.OperationAborted)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // reset while in the backlog, as Kestrel's listener does
            }

            socket.NoDelay = _transport.NoDelay;
            _ = ServeAsync(socket, token);
        }
    }

    /// <summary>One connection from its first byte; never throws (it runs unobserved).</summary>
    private async Task ServeAsync(Socket socket, CancellationToken token)
    {
        _owned[socket] = 0;
        var remote = socket.RemoteEndPoint as IPEndPoint;
        var handed = false;
        try
        {
            var peeked = await _head.PeekAsync(socket, token).ConfigureAwait(false);
            if (peeked is null)
            {
                return;
            }

            var (status, head) = peeked.Value;
            if (status == UpgradeHeadStatus.Parsed && Take(head!, socket) is { } session)
            {
                await session.ConfigureAwait(false);
                return;
            }

            _ = _owned.TryRemove(socket, out _);
            handed = _accepted.Writer.TryWrite(_kestrel.Create(socket));
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            DerpSocketLog.ConnectionFailed(_logger, remote, exception);
        }
        finally
        {
            if (!handed)
            {
                _ = _owned.TryRemove(socket, out _);
                socket.Dispose();
            }
        }
    }

    /// <summary>
    /// Asks the registered upgrade targets with the dispatcher's own rule (<see cref="ConnectionUpgradeTargets.Choose"/>:
    /// the same decision, Hosting/Derp/Upgrade/DerpUpgradeTarget for <c>/derp</c>); when one takes the head, consumes
    /// exactly the head from the socket and runs the target's session on it.
    /// </summary>
    private Task? Take(UpgradeRequestHead head, Socket socket)
    {
        var connection = new DerpSocketConnection(socket);
        return ConnectionUpgradeTargets.Choose(_targets.Value, head, connection) is { } session ? RunAsync(connection, head.Length, session) : null;
    }

    private static async Task RunAsync(DerpSocketConnection connection, int headLength, Func<ConnectionContext, Task> session)
    {
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                await connection.DiscardAsync(headLength).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException)
            {
                return; // the client went away inside its head
            }

            await session(connection).ConfigureAwait(false);
        }
    }
}
