using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Appliance.Derp.Admission;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Relay;

public sealed partial class DerpServer
{
    /// <summary>
    /// Runs one DERP connection to its end (derpserver.go Server.Accept):
    /// ServerKey → ClientInfo (box opened with the server key; 10 s) → admission → ServerInfo → relay until closed.
    /// <para>Ownership: the caller keeps the transport (stream or socket) and disposes it after this returns. This
    /// method completes <c>pipe.Input</c> and <c>pipe.Output</c> before returning, on every path, and never throws
    /// for client behaviour: the outcome is the returned <see cref="DerpCloseReason"/>.</para>
    /// </summary>
    public async Task<DerpCloseReason> AcceptAsync(IDuplexPipe pipe, IPEndPoint? remote, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        if (IsStopping)
        {
            await CompleteAsync(pipe).ConfigureAwait(false);
            return DerpCloseReason.ServerShutdown;
        }

        // Connections that have not proved a key yet are limited on their own (derp.max_pending_handshakes), so a burst
        // of junk upgrades holding their 10 s handshake window open cannot use up the slots of admitted nodes.
        if (Interlocked.Increment(ref Metrics.ConnectionsHandshakingValue) > Options.MaxPendingHandshakes)
        {
            _ = Interlocked.Decrement(ref Metrics.ConnectionsHandshakingValue);
            _ = Interlocked.Increment(ref Metrics.ConnectionsRefusedPendingValue);
            await CompleteAsync(pipe).ConfigureAwait(false);
            return DerpCloseReason.AtCapacity;
        }

        _ = Interlocked.Increment(ref Metrics.ConnectionsAcceptedValue);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        DerpConnection? connection = null;
        var handshaking = true;
        var admitted = false;
        try
        {
            var (reason, client, info) = await HandshakeAsync(pipe, linked.Token).ConfigureAwait(false);
            if (reason is not null)
            {
                return reason.Value;
            }

            // A mesh peer proves itself with the region's mesh key instead of being a node (derpserver.go isMeshPeer).
            // A key that does not match is refused outright, so a misconfigured peer shows up in the log at once.
            var canMesh = false;
            if (info!.MeshKey is not null)
            {
                if (Options.MeshKey?.Matches(info.MeshKey) != true)
                {
                    _ = Interlocked.Increment(ref MeshMetrics.MeshKeyRejectedValue);
                    return DerpCloseReason.MeshKeyRejected;
                }

                canMesh = true;
            }

            if (!canMesh && await _admission.CheckAsync(client, remote, linked.Token).ConfigureAwait(false) != DerpAdmissionDecision.Allowed)
            {
                _ = Interlocked.Increment(ref Metrics.ConnectionsRefusedAdmissionValue);
                return DerpCloseReason.NotAdmitted;
            }

            _ = Interlocked.Decrement(ref Metrics.ConnectionsHandshakingValue);
            handshaking = false;
            if (Interlocked.Increment(ref Metrics.ConnectionsCurrentValue) > Options.MaxConnections)
            {
                _ = Interlocked.Decrement(ref Metrics.ConnectionsCurrentValue);
                _ = Interlocked.Increment(ref Metrics.ConnectionsRefusedCapacityValue);
                return DerpCloseReason.AtCapacity;
            }

            admitted = true;

            // Registered before ServerInfo goes out, as derper does (derpserver.go accept: registerClient, then
            // sendServerInfo): a client that has its ServerInfo can be sent to at once. Packets routed to it in between
            // wait in its queue, because the write loop starts only after ServerInfo is written.
            connection = new DerpConnection(this, pipe, client, remote, info.CanAckPings, linked.Token) { CanMesh = canMesh };
            Register(connection);
            await SendServerInfoAsync(pipe.Output, client, linked.Token).ConfigureAwait(false);
            connection.StartWriter();
            var closeReason = await connection.ReadLoopAsync().ConfigureAwait(false);
            if (closeReason == DerpCloseReason.ProtocolError)
            {
                _ = Interlocked.Increment(ref Metrics.ProtocolErrorsValue);
            }

            return closeReason;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return DerpCloseReason.ServerShutdown;
        }
        catch (OperationCanceledException)
        {
            return DerpCloseReason.Aborted;
        }
        catch (Exception exception) when (TransportFailure.Is(exception))
        {
            return DerpCloseReason.ClientClosed;
        }
        finally
        {
            if (connection is not null)
            {
                Unregister(connection);
                connection.Abort(DerpCloseReason.ClientClosed);
                await connection.WriterTask.ConfigureAwait(false);
                connection.Dispose();
            }

            if (handshaking)
            {
                _ = Interlocked.Decrement(ref Metrics.ConnectionsHandshakingValue);
            }

            if (admitted)
            {
                _ = Interlocked.Decrement(ref Metrics.ConnectionsCurrentValue);
            }

            await CompleteAsync(pipe).ConfigureAwait(false);
        }
    }

    private async Task<(DerpCloseReason? Reason, NodePublic Client, DerpClientInfo? Info)> HandshakeAsync(IDuplexPipe pipe, CancellationToken cancellationToken)
    {
        WriteServerKey(pipe.Output);
        await pipe.Output.FlushAsync(cancellationToken).ConfigureAwait(false);

        using var timeout = new CancellationTokenSource(Options.HandshakeTimeout, TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        byte[] payload;
        try
        {
            var received = await ReadClientInfoAsync(pipe.Input, linked.Token).ConfigureAwait(false);
            if (received is null)
            {
                _ = Interlocked.Increment(ref Metrics.HandshakeFailuresValue);
                return (DerpCloseReason.HandshakeFailed, default, null);
            }

            payload = received;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _ = Interlocked.Increment(ref Metrics.HandshakeFailuresValue);
            return (DerpCloseReason.HandshakeTimeout, default, null);
        }
        catch (DerpProtocolException)
        {
            _ = Interlocked.Increment(ref Metrics.HandshakeFailuresValue);
            return (DerpCloseReason.HandshakeFailed, default, null);
        }

        if (DerpHandshakeBox.TryOpenClientInfo(payload, _privateKey, out var client, out var info) != DerpBoxResult.Ok)
        {
            _ = Interlocked.Increment(ref Metrics.HandshakeFailuresValue);
            return (DerpCloseReason.HandshakeFailed, default, null);
        }

        return (null, client, info);
    }

    /// <summary>Reads the first frame, which must be ClientInfo. Leaves any later frames (NotePreferred often shares the read) in the pipe.</summary>
    private static async Task<byte[]?> ReadClientInfoAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (DerpFrameReader.TryReadFrame(ref buffer, out var frame))
            {
                var payload = frame.Type == DerpFrameType.ClientInfo ? frame.Payload.ToArray() : null;
                input.AdvanceTo(buffer.Start);
                return payload;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return null;
            }
        }
    }

    private void WriteServerKey(PipeWriter output)
    {
        var span = output.GetSpan(DerpConstants.FrameHeaderLength + DerpConstants.Magic.Length + DerpConstants.KeyLength);
        _ = DerpFrameWriter.TryWriteServerKey(span, PublicKey.Raw, out var written);
        output.Advance(written);
    }

    private async Task SendServerInfoAsync(PipeWriter output, NodePublic client, CancellationToken cancellationToken)
    {
        var payload = DerpHandshakeBox.SealServerInfo(new DerpServerInfo(), _privateKey, client);
        var span = output.GetSpan(DerpConstants.FrameHeaderLength + payload.Length);
        _ = DerpFrameWriter.TryWriteServerInfo(span, payload, out var written);
        output.Advance(written);
        var health = Volatile.Read(ref _healthProblem);
        if (health.Length > 0)
        {
            span = output.GetSpan(DerpConstants.FrameHeaderLength + health.Length);
            _ = DerpFrameWriter.TryWriteHealth(span, health, out written);
            output.Advance(written);
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completing a stream-backed writer flushes what it still buffers, which throws when the client is gone: ignored, the connection is over.</summary>
    private static async ValueTask CompleteAsync(IDuplexPipe pipe)
    {
        try
        {
            await pipe.Input.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (TransportFailure.Is(exception))
        {
            // Nothing left to read from.
        }

        try
        {
            await pipe.Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (TransportFailure.Is(exception))
        {
            // Nothing left to write to.
        }
    }
}
