using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using Appliance.Control.Diagnostics;
using Appliance.Protocol.Keys;
using Appliance.Protocol.Noise;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Appliance.Control.Noise;

/// <summary>
/// <c>POST /ts2021</c> (and GET): the HTTP upgrade to the ts2021 control transport, following tailscale
/// control/controlhttp/controlhttpserver/controlhttpserver.go (AcceptHTTP, acceptWebsocket):
/// <code>
/// Upgrade missing → 400 "missing next protocol"; "websocket" → WebSocket variant; other → 400 "unknown next protocol"
/// X-Tailscale-Handshake missing → 400 "missing Tailscale handshake header"; not base64 → 400 "invalid tailscale handshake header"
/// 101 Upgrade: tailscale-control-protocol, then on the raw stream:
///   malformed initiation / version below the floor → Noise error frame, close
///   failed decryption → close (upstream sends nothing)
///   accepted → 51-byte response + early payload record, in one write ("corked"), then HTTP/2 by Kestrel
/// </code>
/// </summary>
public sealed partial class NoiseUpgradeHandler
{
    public const string UpgradeValue = "tailscale-control-protocol";
    public const string HandshakeHeader = "X-Tailscale-Handshake";

    private readonly NoiseServerKey _serverKey;
    private readonly NoiseConnectionHandoff _queue;
    private readonly NoiseOptions _options;
    private readonly ILogger<NoiseUpgradeHandler> _logger;
    private readonly ClientRefusalSummary? _refusals;

    public NoiseUpgradeHandler(NoiseServerKey serverKey, NoiseConnectionHandoff queue, IOptions<NoiseOptions> options, ILogger<NoiseUpgradeHandler> logger, ClientRefusalSummary? refusals = null)
    {
        _refusals = refusals;
        ArgumentNullException.ThrowIfNull(options);
        _serverKey = serverKey;
        _queue = queue;
        _options = options.Value;
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var next = context.Request.Headers.Upgrade.ToString().ToLowerInvariant();
        if (next.Length == 0)
        {
            await RefuseAsync(context, "missing next protocol").ConfigureAwait(false);
            return;
        }

        if (next == "websocket")
        {
            await HandleWebSocketAsync(context).ConfigureAwait(false);
            return;
        }

        if (next != UpgradeValue)
        {
            await RefuseAsync(context, "unknown next protocol").ConfigureAwait(false);
            return;
        }

        var header = context.Request.Headers[HandshakeHeader].ToString();
        if (header.Length == 0)
        {
            await RefuseAsync(context, "missing Tailscale handshake header").ConfigureAwait(false);
            return;
        }

        if (!TryDecodeBase64(header, out var initiation))
        {
            await RefuseAsync(context, "invalid tailscale handshake header").ConfigureAwait(false);
            return;
        }

        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is null || !upgrade.IsUpgradableRequest)
        {
            await RefuseAsync(context, "make request over HTTP/1").ConfigureAwait(false);
            return;
        }

        if (!_queue.IsListening)
        {
            LogNotListening(_logger);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        context.Response.Headers.Upgrade = UpgradeValue;
        context.Response.Headers.Connection = "upgrade";
        var stream = await upgrade.UpgradeAsync().ConfigureAwait(false);
        await RunSessionAsync(context, stream, initiation, _options.SendEarlyPayload).ConfigureAwait(false);
    }

    private async Task HandleWebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RefuseAsync(context, "not a WebSocket upgrade (call UseNoiseTransport to enable WebSockets)").ConfigureAwait(false);
            return;
        }

        if (!context.WebSockets.WebSocketRequestedProtocols.Contains(UpgradeValue, StringComparer.Ordinal))
        {
            await RefuseAsync(context, "client must speak the control subprotocol").ConfigureAwait(false);
            return;
        }

        var parameter = context.Request.Query[HandshakeHeader].ToString();
        if (parameter.Length == 0)
        {
            await RefuseAsync(context, "missing Tailscale handshake parameter").ConfigureAwait(false);
            return;
        }

        if (!TryDecodeBase64(parameter, out var initiation))
        {
            await RefuseAsync(context, "invalid tailscale handshake parameter").ConfigureAwait(false);
            return;
        }

        if (!_queue.IsListening)
        {
            LogNotListening(_logger);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = UpgradeValue,
            DangerousEnableCompression = false,
        }).ConfigureAwait(false);
        var stream = WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true);

        // The WebSocket transport never carries an early payload (controlhttpserver.go acceptWebsocket).
        await RunSessionAsync(context, stream, initiation, sendEarlyPayload: false).ConfigureAwait(false);
    }

    private Task RunSessionAsync(HttpContext context, Stream stream, byte[] initiation, bool sendEarlyPayload)
    {
        var remote = context.Connection.RemoteIpAddress is { } ip ? new IPEndPoint(ip, context.Connection.RemotePort) : null;
        var local = context.Connection.LocalIpAddress is { } lip ? new IPEndPoint(lip, context.Connection.LocalPort) : null;

        // Zero-byte reads on both pipes (here and in NoiseConnectionContext): a parked long-poll waits for the next
        // record without a rented buffer, like the DERP relay (Hosting/Derp/StreamDuplexPipe).
        var pipes = _options.PipePoolForTesting ?? MemoryPool<byte>.Shared;
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(pool: pipes, useZeroByteReads: true));
        return RunSessionAsync(new SessionTransport(input, stream, null, local, remote, context.Abort, context.RequestAborted), initiation, sendEarlyPayload);
    }

    /// <summary>
    /// The ts2021 session on a connection already answered with 101 by <see cref="NoiseUpgradeTarget"/> (through the connection-level dispatcher, Control/Connections):
    /// the Noise records go straight over the connection's own transport pipe, with no HTTP/1.1 request, upgrade
    /// stream or stream-to-pipe adapter kept alive under the session for its whole life (issue 16).
    /// </summary>
    internal Task RunSessionAsync(Microsoft.AspNetCore.Connections.ConnectionContext connection, byte[] initiation)
    {
        var output = connection.Transport.Output.AsStream(leaveOpen: false);
        var transport = new SessionTransport(
            connection.Transport.Input, output, connection.Transport.Output, connection.LocalEndPoint as IPEndPoint, connection.RemoteEndPoint as IPEndPoint, connection.Abort, connection.ConnectionClosed);
        return RunSessionAsync(transport, initiation, _options.SendEarlyPayload);
    }

    private async Task RunSessionAsync(SessionTransport transport, byte[] initiation, bool sendEarlyPayload)
    {
        var (input, stream, outputPipe, local, remote, abortOuter, aborted) = transport;
        var refusal = NoiseInitiation.Validate(initiation);
        if (refusal == NoiseHandshakeRefusal.None
            && NoiseInitiation.TryReadVersion(initiation, out var version)
            && version < _options.MinimumCapabilityVersion)
        {
            refusal = NoiseHandshakeRefusal.UnsupportedVersion;
        }

        NoiseAcceptedHandshake? accepted = null;
        if (refusal == NoiseHandshakeRefusal.None)
        {
            NoiseResponder.TryRespond(_serverKey.Static, initiation, out accepted, out refusal, _options.ResponderEphemeralForTesting);
        }

        if (accepted is null)
        {
            LogRefused(_logger, refusal, remote);
            _refusals?.Record($"noise handshake: {refusal}");
            if (refusal.ErrorFrameText() is { } text)
            {
                await TryWriteAsync(stream, NoiseErrorFrame.Create(text), aborted).ConfigureAwait(false);
            }

            await input.CompleteAsync().ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
            return;
        }

        var challenge = ChallengePublic.Zero;
        var session = new NoiseSessionFeature(accepted.ClientMachineKey, accepted.Version, challenge);
        var keys = accepted.Keys;
        byte[] corked;
        if (sendEarlyPayload)
        {
            challenge = ChallengePublic.FromRaw(MachinePrivate.Generate().Public.Raw);
            session = new NoiseSessionFeature(accepted.ClientMachineKey, accepted.Version, challenge);
            var early = EarlyNoise.Create(challenge);
            corked = new byte[accepted.Response.Length + NoiseCipherState.FrameSize(early.Length)];
            accepted.Response.CopyTo(corked);
            keys.Send.SealRecord(early, corked.AsSpan(accepted.Response.Length));
        }
        else
        {
            corked = accepted.Response.ToArray();
        }

        if (!await TryWriteAsync(stream, corked, aborted).ConfigureAwait(false))
        {
            keys.Dispose();
            await input.CompleteAsync().ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
            return;
        }

        var pipes = _options.PipePoolForTesting ?? MemoryPool<byte>.Shared;
        var noise = new NoiseStream(input, stream, keys, _options.RecordPoolForTesting);
        var connection = new NoiseConnectionContext(noise, session, local, remote, abortOuter, pipes, outputPipe);
        if (!_queue.TryEnqueue(connection))
        {
            LogQueueFull(_logger, remote);
            await connection.DisposeAsync().ConfigureAwait(false);
            return;
        }

        LogAccepted(_logger, session.ClientMachineKey, accepted.Version, remote);
        using (aborted.Register(static state => ((NoiseConnectionContext)state!).Abort(new("client went away")), connection))
        {
            await connection.Closed.ConfigureAwait(false);
        }
    }

    /// <summary>Where a session's records travel: the upgraded HTTP/1.1 stream, or a connection's own transport pipe
    /// (then <paramref name="OutputPipe"/> is the pipe under <paramref name="Output"/>, and records are sealed straight into it).</summary>
    private sealed record SessionTransport(PipeReader Input, Stream Output, PipeWriter? OutputPipe, IPEndPoint? Local, IPEndPoint? Remote, Action AbortOuter, CancellationToken Aborted);

    private static async Task<bool> TryWriteAsync(Stream stream, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private static bool TryDecodeBase64(string text, out byte[] bytes)
    {
        // Standard padded base64, as Go's base64.StdEncoding; the initiation is 101 bytes, so cap the buffer there.
        var buffer = new byte[Math.Min(text.Length, 4096) * 3 / 4 + 3];
        if (text.Length <= 4096 && Convert.TryFromBase64String(text, buffer, out var written))
        {
            bytes = buffer.AsSpan(0, written).ToArray();
            return true;
        }

        bytes = [];
        return false;
    }

    private static Task RefuseAsync(HttpContext context, string message)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Noise session from {Remote}: machine {MachineKey}, capability version {Version}")]
    private static partial void LogAccepted(ILogger logger, Appliance.Protocol.Keys.MachinePublic machineKey, int version, IPEndPoint? remote);

    // Debug: a client caused it; ClientRefusalSummary logs the count once a minute at Information.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Noise handshake from {Remote} refused: {Refusal}")]
    private static partial void LogRefused(ILogger logger, NoiseHandshakeRefusal refusal, IPEndPoint? remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Noise session from {Remote} dropped: the connection queue is full")]
    private static partial void LogQueueFull(ILogger logger, IPEndPoint? remote);

    [LoggerMessage(Level = LogLevel.Error, Message = "ts2021 upgrade refused: the Noise endpoint is not bound (call KestrelServerOptions.ListenNoise)")]
    private static partial void LogNotListening(ILogger logger);
}
