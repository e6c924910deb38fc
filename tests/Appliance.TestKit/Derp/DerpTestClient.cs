using System.Buffers;
using System.IO.Pipelines;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;

namespace Appliance.TestKit.Derp;

/// <summary>
/// A DERP client in C# for integration tests and the benchmark (the client half of tailscale derp/derp_client.go).
/// Works over any duplex pipe: an in-memory pipe to DerpServer.AcceptAsync, or an upgraded HTTP(S) stream from
/// <see cref="DerpHttpConnector"/>. Not thread-safe per direction: one sender and one receiver at a time.
/// </summary>
public sealed class DerpTestClient : IAsyncDisposable
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly IAsyncDisposable? _transport;

    private DerpTestClient(PipeReader input, PipeWriter output, NodePrivate key, IAsyncDisposable? transport)
    {
        _input = input;
        _output = output;
        PrivateKey = key;
        PublicKey = key.Public;
        _transport = transport;
    }

    public NodePrivate PrivateKey { get; }

    /// <summary>
    /// Computed once: <see cref="NodePrivate.Public"/> derives the key with X25519 in libsodium guarded memory
    /// (mmap, mprotect, munmap and a TLB shootdown per call). The benchmark asked for it once per packet, which cost
    /// ~150 µs of CPU per relayed packet and made the relay look 50 times slower than it is.
    /// </summary>
    public NodePublic PublicKey { get; }

    public NodePublic ServerKey { get; private set; }

    public DerpServerInfo? ServerInfo { get; private set; }

    /// <summary>Reads ServerKey, sends ClientInfo (sealed to the server key), and reads ServerInfo. Throws if the server closes instead.</summary>
    public static async Task<DerpTestClient> ConnectAsync(PipeReader input, PipeWriter output, NodePrivate key, IAsyncDisposable? transport = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var client = new DerpTestClient(input, output, key, transport);
        await client.HandshakeAsync(cancellationToken).ConfigureAwait(false);
        return client;
    }

    /// <summary>Sends ClientInfo to a given server key without reading ServerKey first (to test refusals). Returns the raw client.</summary>
    public static DerpTestClient CreateRaw(PipeReader input, PipeWriter output, NodePrivate key, IAsyncDisposable? transport = null) =>
        new(input, output, key, transport);

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        var serverKey = await ReadFrameAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new IOException("DERP server closed before ServerKey");
        if (serverKey.Type != DerpFrameType.ServerKey || !DerpFramePayloads.TryParseServerKey(serverKey.Payload, out var server))
        {
            throw new IOException($"expected ServerKey, got {serverKey.Type}");
        }

        ServerKey = server;
        await SendClientInfoAsync(new DerpClientInfo { CanAckPings = true }, cancellationToken).ConfigureAwait(false);
        var serverInfo = await ReadFrameAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new IOException("DERP server closed the connection instead of sending ServerInfo (refused?)");
        if (serverInfo.Type != DerpFrameType.ServerInfo
            || DerpHandshakeBox.TryOpenServerInfo(serverInfo.Payload, PrivateKey, ServerKey, out var info) != DerpBoxResult.Ok)
        {
            throw new IOException($"expected a ServerInfo that opens, got {serverInfo.Type}");
        }

        ServerInfo = info;
    }

    /// <summary>Reads the ServerKey frame only (for refusal tests that then send their own ClientInfo).</summary>
    public async Task<NodePublic> ReadServerKeyAsync(CancellationToken cancellationToken = default)
    {
        var frame = await ReadFrameAsync(cancellationToken).ConfigureAwait(false) ?? throw new IOException("closed before ServerKey");
        if (!DerpFramePayloads.TryParseServerKey(frame.Payload, out var server))
        {
            throw new IOException("bad ServerKey");
        }

        ServerKey = server;
        return server;
    }

    public async Task SendClientInfoAsync(DerpClientInfo info, CancellationToken cancellationToken = default)
    {
        var payload = DerpHandshakeBox.SealClientInfo(info, PrivateKey, ServerKey);
        await SendFrameAsync(DerpFrameType.ClientInfo, payload, cancellationToken).ConfigureAwait(false);
    }

    public Task SendPacketAsync(NodePublic destination, ReadOnlyMemory<byte> packet, CancellationToken cancellationToken = default)
    {
        WritePacket(destination, packet.Span);
        return FlushAsync(cancellationToken);
    }

    /// <summary>Buffers a SendPacket without flushing (the benchmark batches many per flush).</summary>
    public void WritePacket(NodePublic destination, ReadOnlySpan<byte> packet)
    {
        var length = DerpConstants.FrameHeaderLength + DerpConstants.KeyLength + packet.Length;
        var span = _output.GetSpan(length);
        _ = DerpFrameWriter.TryWriteSendPacket(span, destination.Raw, packet, out var written);
        _output.Advance(written);
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default) =>
        _ = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);

    public Task SendNotePreferredAsync(bool preferred, CancellationToken cancellationToken = default) =>
        SendFrameAsync(DerpFrameType.NotePreferred, new[] { preferred ? (byte)1 : (byte)0 }, cancellationToken);

    public Task SendPingAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        SendFrameAsync(DerpFrameType.Ping, data, cancellationToken);

    /// <summary>Sends any frame, including malformed or unknown ones (hostile-client tests).</summary>
    public async Task SendFrameAsync(DerpFrameType type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        var span = _output.GetSpan(DerpConstants.FrameHeaderLength + payload.Length);
        _ = DerpFrameWriter.TryWriteFrame(span, type, payload.Span, out var written);
        _output.Advance(written);
        _ = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends raw bytes as they are (a header with a hostile length, for example).</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
        _ = await _output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The next frame: RecvPacket/PeerGone/PeerPresent carry a key, the rest only data. Null when the server closed.
    /// KeepAlive frames are returned too, so tests can see them.
    /// </summary>
    public async Task<DerpTestFrame?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        var frame = await ReadFrameAsync(cancellationToken).ConfigureAwait(false);
        if (frame is null)
        {
            return null;
        }

        var payload = frame.Payload;
        return frame.Type switch
        {
            DerpFrameType.RecvPacket or DerpFrameType.PeerGone or DerpFrameType.PeerPresent when payload.Length >= DerpConstants.KeyLength =>
                new DerpTestFrame(frame.Type, NodePublic.FromRaw(payload.AsSpan(0, DerpConstants.KeyLength)), payload[DerpConstants.KeyLength..]),
            _ => new DerpTestFrame(frame.Type, default, payload),
        };
    }

    /// <summary>Receives until a frame of <paramref name="type"/> arrives (skipping keep-alives and others). Null when closed first.</summary>
    public async Task<DerpTestFrame?> ReceiveAsync(DerpFrameType type, CancellationToken cancellationToken = default)
    {
        while (await ReceiveAsync(cancellationToken).ConfigureAwait(false) is { } frame)
        {
            if (frame.Type == type)
            {
                return frame;
            }
        }

        return null;
    }

    /// <summary>
    /// Benchmark receive: consumes whatever complete frames are buffered (waiting for at least one read) and returns how
    /// many were RecvPacket, without copying payloads. Returns -1 when the server closed.
    /// </summary>
    public async ValueTask<int> ReceivePacketsAsync(CancellationToken cancellationToken = default)
    {
        var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
        var buffer = result.Buffer;
        var count = 0;
        while (DerpFrameReader.TryReadFrame(ref buffer, out var frame))
        {
            if (frame.Type == DerpFrameType.RecvPacket)
            {
                count++;
            }
        }

        _input.AdvanceTo(buffer.Start, buffer.End);
        return count == 0 && result.IsCompleted ? -1 : count;
    }

    private async Task<(DerpFrameType Type, byte[] Payload)?> ReadFrameRawAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (DerpFrameReader.TryReadFrame(ref buffer, out var frame))
            {
                var read = (frame.Type, frame.Payload.ToArray());
                _input.AdvanceTo(buffer.Start);
                return read;
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return null;
            }
        }
    }

    private async Task<RawFrame?> ReadFrameAsync(CancellationToken cancellationToken) =>
        await ReadFrameRawAsync(cancellationToken).ConfigureAwait(false) is { } f ? new RawFrame(f.Type, f.Payload) : null;

    public async ValueTask DisposeAsync()
    {
        await _output.CompleteAsync().ConfigureAwait(false);
        await _input.CompleteAsync().ConfigureAwait(false);
        if (_transport is not null)
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed record RawFrame(DerpFrameType Type, byte[] Payload);
}
