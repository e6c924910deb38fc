using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Appliance.Derp.Relay;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Derp.Mesh;

/// <summary>
/// This server's link to one mesh peer (tailscale cmd/derper/mesh.go startMeshWithHost; derphttp/mesh_client.go
/// RunWatchConnectionLoop). It connects as a DERP client with this server's key and the mesh key, sends WatchConns,
/// and turns the peer's PeerPresent/PeerGone into the local server's "clients elsewhere" table; packets the local
/// server cannot deliver to a key the peer holds come back here and go out as ForwardPacket. When the link ends, every
/// key it announced is forgotten and it reconnects with exponential backoff. Nothing it does can throw out of
/// <see cref="RunAsync"/>: failures are logged and retried until the token stops it.
/// </summary>
public sealed partial class DerpMeshClient : IDerpMeshForwarder
{
    /// <summary>derphttp_client.go: a client that hears nothing (not even KeepAlive, every 60 s) for 120 s reconnects.</summary>
    private static readonly TimeSpan ReadIdleTimeout = TimeSpan.FromSeconds(120);

    private readonly Uri _peer;
    private readonly DerpServer _local;
    private readonly NodePrivate _key;
    private readonly DerpMeshKey _meshKey;
    private readonly IDerpMeshDialer _dialer;
    private readonly DerpMeshClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private Link? _link;
    private int _announced;

    public DerpMeshClient(Uri peer, DerpServer local, NodePrivate serverKey, DerpMeshKey meshKey, IDerpMeshDialer dialer, DerpMeshClientOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(serverKey);
        ArgumentNullException.ThrowIfNull(meshKey);
        ArgumentNullException.ThrowIfNull(dialer);
        _peer = peer;
        _local = local;
        _key = serverKey;
        _meshKey = meshKey;
        _dialer = dialer;
        _options = options ?? new DerpMeshClientOptions();
        _time = time ?? TimeProvider.System;
        _log = logger ?? NullLogger.Instance;
    }

    public string PeerName => _peer.ToString();

    /// <summary>True while the link is up (ServerInfo received and WatchConns sent).</summary>
    public bool IsConnected => Volatile.Read(ref _link) is not null;

    /// <summary>How many links have come up so far (a reconnect counts again).</summary>
    public int Connections { get; private set; }

    /// <summary>Why the last link ended, for the admin view and tests; null while none has ended.</summary>
    public string? LastError { get; private set; }

    public bool TryForward(NodePublic source, NodePublic destination, in ReadOnlySequence<byte> packet)
    {
        var link = Volatile.Read(ref _link);
        return link is not null && link.TryQueueForward(source, destination, packet);
    }

    /// <summary>Keeps the link up until <paramref name="cancellationToken"/> fires. Never throws except for that cancellation's end.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var outcome = await RunOnceAsync(cancellationToken).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            // A link that came up resets the backoff: the next attempt is quick, as after a peer's restart.
            failures = outcome.WasUp ? 0 : failures + 1;
            var delay = Backoff(failures);
            var clients = Interlocked.Exchange(ref _announced, 0);
            LastError = outcome.Why;
            switch (outcome.Kind)
            {
                case EndKind.KeyRefused:
                    DerpMeshLog.KeyRefused(_log, PeerName, delay);
                    break;
                case EndKind.Failed:
                    DerpMeshLog.LinkFailed(_log, PeerName, delay, outcome.Exception!);
                    break;
                default:
                    DerpMeshLog.LinkDown(_log, PeerName, outcome.Why, clients, delay);
                    break;
            }

            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var min = _options.MinReconnectDelay;
        var ticks = Math.Min(_options.MaxReconnectDelay.Ticks, min.Ticks * (1L << Math.Min(failures, 16)));
        var jitter = ticks > 4 ? Random.Shared.NextInt64(ticks / 4) : 0;
        return TimeSpan.FromTicks(Math.Max(min.Ticks, ticks - jitter));
    }

    private async Task<Outcome> RunOnceAsync(CancellationToken cancellationToken)
    {
        DerpMeshTransport? transport = null;
        Link? link = null;
        var wasUp = false;
        try
        {
            transport = await _dialer.DialAsync(_peer, cancellationToken).ConfigureAwait(false);
            using var idle = new CancellationTokenSource(ReadIdleTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
            var pipe = transport.Pipe;
            var serverKey = await HandshakeAsync(pipe, linked.Token).ConfigureAwait(false);
            if (serverKey is null)
            {
                return new Outcome(EndKind.KeyRefused, false, "mesh key refused or handshake failed", null);
            }

            link = new Link(pipe.Output, _options.ForwardQueuePackets, linked.Token);
            link.Enqueue(DerpFrameType.WatchConns, []);
            Volatile.Write(ref _link, link);
            wasUp = true;
            Connections++;
            DerpMeshLog.LinkUp(_log, PeerName, serverKey.Value);
            var why = await ReadLoopAsync(pipe.Input, link, idle, linked.Token).ConfigureAwait(false);
            return new Outcome(EndKind.Closed, true, why, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new Outcome(EndKind.Closed, wasUp, "stopping", null);
        }
        catch (OperationCanceledException)
        {
            return new Outcome(EndKind.Closed, wasUp, $"nothing heard for {ReadIdleTimeout.TotalSeconds:0} s", null);
        }
        catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or DerpProtocolException or InvalidOperationException or System.Security.Authentication.AuthenticationException)
        {
            return new Outcome(EndKind.Closed, wasUp, exception.Message, null);
        }
#pragma warning disable CA1031 // Background work never takes the process down: anything else is logged and retried.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return new Outcome(EndKind.Failed, wasUp, exception.Message, exception);
        }
        finally
        {
            Volatile.Write(ref _link, null);
            _local.RemoveRemoteClients(this);
            if (link is not null)
            {
                await link.StopAsync().ConfigureAwait(false);
            }

            if (transport is not null)
            {
                await CompleteQuietlyAsync(transport).ConfigureAwait(false);
            }
        }
    }

    /// <summary>ServerKey → ClientInfo with the mesh key → ServerInfo. Null when the peer closed instead (it refused the key).</summary>
    private async Task<NodePublic?> HandshakeAsync(IDuplexPipe pipe, CancellationToken cancellationToken)
    {
        var first = await ReadFrameAsync(pipe.Input, cancellationToken).ConfigureAwait(false);
        if (first is null || first.Value.Type != DerpFrameType.ServerKey || !DerpFramePayloads.TryParseServerKey(first.Value.Payload, out var serverKey))
        {
            throw new IOException("mesh peer did not start with ServerKey");
        }

        var info = new DerpClientInfo { MeshKey = _meshKey.Hex, CanAckPings = true };
        var payload = DerpHandshakeBox.SealClientInfo(info, _key, serverKey);
        WriteFrame(pipe.Output, DerpFrameType.ClientInfo, payload);
        _ = await pipe.Output.FlushAsync(cancellationToken).ConfigureAwait(false);

        var second = await ReadFrameAsync(pipe.Input, cancellationToken).ConfigureAwait(false);
        if (second is null)
        {
            return null;
        }

        if (second.Value.Type != DerpFrameType.ServerInfo || DerpHandshakeBox.TryOpenServerInfo(second.Value.Payload, _key, serverKey, out _) != DerpBoxResult.Ok)
        {
            throw new IOException("mesh peer's ServerInfo did not open");
        }

        return serverKey;
    }

    /// <summary>The peer's frames after the handshake. Returns why the link ended.</summary>
    private async Task<string> ReadLoopAsync(PipeReader input, Link link, CancellationTokenSource idle, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                while (DerpFrameReader.TryReadFrame(ref buffer, out var frame))
                {
                    idle.CancelAfter(ReadIdleTimeout);
                    if (HandleFrame(frame, link) is { } end)
                    {
                        return end;
                    }
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return "the peer closed the link";
                }
            }
            finally
            {
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }

    /// <summary>One frame from the peer; a non-null result ends the link. Lengths are checked by the same parsers as any client's.</summary>
    private string? HandleFrame(in DerpFrame frame, Link link)
    {
        switch (frame.Type)
        {
            case DerpFrameType.PeerPresent:
            case DerpFrameType.PeerGone:
                if (frame.Length > DerpConstants.KeyLength + 64)
                {
                    return $"oversized {frame.Type} frame ({frame.Length} bytes)";
                }

                Span<byte> payload = stackalloc byte[frame.Length];
                frame.Payload.CopyTo(payload);
                if (frame.Type == DerpFrameType.PeerPresent)
                {
                    if (!DerpFramePayloads.TryParsePeerPresent(payload, out var present, out _, out _))
                    {
                        return "malformed PeerPresent";
                    }

                    if (!_local.IsHeldElsewhere(present))
                    {
                        _ = Interlocked.Increment(ref _announced);
                    }

                    _local.AddRemoteClient(present, this);
                }
                else
                {
                    if (!DerpFramePayloads.TryParsePeerGone(payload, out var gone, out _))
                    {
                        return "malformed PeerGone";
                    }

                    _local.RemoveRemoteClient(gone, this);
                }

                return null;
            case DerpFrameType.Ping:
                if (frame.Length is < DerpConstants.PingLength or > DerpConstants.MaxPingLength)
                {
                    return "malformed Ping";
                }

                link.Enqueue(DerpFrameType.Pong, frame.Payload.Slice(0, DerpConstants.PingLength).ToArray());
                return null;
            case DerpFrameType.Restarting:
                return "the peer is restarting";
            default:
                // KeepAlive, Health, RecvPacket (nothing should send to a server key) and unknown frames: skipped.
                return null;
        }
    }

    private static async Task<(DerpFrameType Type, byte[] Payload)?> ReadFrameAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (DerpFrameReader.TryReadFrame(ref buffer, out var frame))
            {
                var read = (frame.Type, frame.Payload.ToArray());
                input.AdvanceTo(buffer.Start);
                return read;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return null;
            }
        }
    }

    private static void WriteFrame(PipeWriter output, DerpFrameType type, ReadOnlySpan<byte> payload)
    {
        var span = output.GetSpan(DerpConstants.FrameHeaderLength + payload.Length);
        _ = DerpFrameWriter.TryWriteFrame(span, type, payload, out var written);
        output.Advance(written);
    }

    private static async Task CompleteQuietlyAsync(DerpMeshTransport transport)
    {
        try
        {
            await transport.Pipe.Input.CompleteAsync().ConfigureAwait(false);
            await transport.Pipe.Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (TransportFailure.Is(exception))
        {
            // The peer is gone already.
        }

        try
        {
            await transport.Owner.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (TransportFailure.Is(exception))
        {
            // Same.
        }
    }

    private enum EndKind
    {
        Closed,
        KeyRefused,
        Failed,
    }

    private readonly record struct Outcome(EndKind Kind, bool WasUp, string Why, Exception? Exception);
}
