using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Serialization;
using Appliance.Protocol.Keys;
using Appliance.Protocol.Noise;

namespace Appliance.TestKit.Noise;

/// <summary>
/// A ts2021 client that speaks exactly as tailscaled does (control/controlhttp/client.go, control/ts2021/conn.go):
/// TCP connect; HTTP/1.1 <c>POST /ts2021</c> with the Noise initiation in <c>X-Tailscale-Handshake</c>; expect 101 with
/// <c>Upgrade: tailscale-control-protocol</c>; read the 51-byte response (or a Noise error frame); skip the early
/// payload; then HTTP/2 with prior knowledge over the Noise stream, all requests as streams of one connection.
/// For integration tests and the load generator. Loopback only in tests.
/// </summary>
public sealed class NoiseControlClient : IAsyncDisposable
{
    public const string UpgradeValue = "tailscale-control-protocol";

    private readonly NoiseStream _noise;
    private readonly IDisposable _transport;

    private NoiseControlClient(NoiseStream noise, IDisposable transport, HttpClient http, ChallengePublic? challenge, MachinePublic machineKey)
    {
        _noise = noise;
        _transport = transport;
        Http = http;
        EarlyChallenge = challenge;
        MachineKey = machineKey;
    }

    /// <summary>HTTP/2 over the Noise session. Relative URIs (e.g. "machine/register") go to the control server.</summary>
    public HttpClient Http { get; }

    /// <summary>The nodeKeyChallenge from the early payload; null when the server sent none (always on WebSocket).</summary>
    public ChallengePublic? EarlyChallenge { get; }

    public MachinePublic MachineKey { get; }

    /// <summary><c>GET /key?v=N</c> over plain HTTP: the server's Noise public key.</summary>
    public static async Task<MachinePublic> FetchServerKeyAsync(Uri server, int capVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var http = new HttpClient { BaseAddress = server };
        var response = await http.GetFromJsonAsync($"key?v={capVersion}", KeyResponseJsonContext.Default.KeyResponse, cancellationToken).ConfigureAwait(false)
            ?? throw new NoiseUpgradeException("empty /key response");
        if (response.PublicKey.IsZero)
        {
            throw new NoiseUpgradeException("control server is too old; no noise key");
        }

        return response.PublicKey;
    }

    /// <summary>Connects with the native upgrade (the path every desktop and server client uses).</summary>
    public static async Task<NoiseControlClient> ConnectAsync(Uri server, MachinePrivate machineKey, MachinePublic serverKey, int capVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(machineKey);
        var initiator = NoiseInitiator.Create(machineKey, serverKey, checked((ushort)capVersion));
        var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(server.Host, server.Port, cancellationToken).ConfigureAwait(false);
            tcp.NoDelay = true;
            Stream network = tcp.GetStream();
            if (server.Scheme == Uri.UriSchemeHttps)
            {
                // As tailscaled with an https:// server_url: TLS, HTTP/1.1, no client certificate (the server may ask for one).
#pragma warning disable CA5359 // A loopback test client; the chain the HTTPS listener serves is the Tls area's tests' subject.
                var tls = new SslStream(network, false, (_, _, _, _) => true);
#pragma warning restore CA5359
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = server.Host,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                }, cancellationToken).ConfigureAwait(false);
                network = tls;
            }

            var request = RequestHead(server, initiator.Initiation.Span);
            await network.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken).ConfigureAwait(false);

            var reader = PipeReader.Create(network);
            await ReadSwitchingProtocolsAsync(reader, cancellationToken).ConfigureAwait(false);
            var keys = await FinishHandshakeAsync(reader, initiator, cancellationToken).ConfigureAwait(false);
            var noise = new NoiseStream(reader, network, keys);
            var challenge = await noise.ReadEarlyPayloadAsync(cancellationToken).ConfigureAwait(false);
            return new NoiseControlClient(noise, tcp, CreateHttpClient(server, noise), challenge, machineKey.Public);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Connects with the WebSocket variant (browser/WASM clients): GET /ts2021?X-Tailscale-Handshake=..., subprotocol tailscale-control-protocol, no early payload.</summary>
    public static async Task<NoiseControlClient> ConnectWebSocketAsync(Uri server, MachinePrivate machineKey, MachinePublic serverKey, int capVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(machineKey);
        var initiator = NoiseInitiator.Create(machineKey, serverKey, checked((ushort)capVersion));
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.AddSubProtocol(UpgradeValue);
            var ws = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Path = "/ts2021", Query = "X-Tailscale-Handshake=" + Uri.EscapeDataString(Convert.ToBase64String(initiator.Initiation.Span)) }.Uri;
            await socket.ConnectAsync(ws, cancellationToken).ConfigureAwait(false);
            var stream = WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true);
            var reader = PipeReader.Create(stream);
            var keys = await FinishHandshakeAsync(reader, initiator, cancellationToken).ConfigureAwait(false);
            var noise = new NoiseStream(reader, stream, keys);
            return new NoiseControlClient(noise, socket, CreateHttpClient(server, noise), null, machineKey.Public);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _noise.DisposeAsync().ConfigureAwait(false);
        _transport.Dispose();
    }

    /// <summary>The request head as Go's http.Transport writes it (header order from the real-client recording).</summary>
    private static string RequestHead(Uri server, ReadOnlySpan<byte> initiation) =>
        "POST /ts2021 HTTP/1.1\r\n"
        + $"Host: {server.Authority}\r\n"
        + "User-Agent: Go-http-client/1.1\r\n"
        + "Content-Length: 0\r\n"
        + "Connection: upgrade\r\n"
        + $"Upgrade: {UpgradeValue}\r\n"
        + $"X-Tailscale-Handshake: {Convert.ToBase64String(initiation)}\r\n"
        + "\r\n";

    private static async Task ReadSwitchingProtocolsAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var end = FindHeadEnd(buffer);
            if (end >= 0)
            {
                var head = Encoding.ASCII.GetString(buffer.Slice(0, end));
                var rest = buffer.Slice(end + 4);
                var lines = head.Split("\r\n");
                var status = lines[0].Split(' ', 3);
                var code = status.Length > 1 && int.TryParse(status[1], out var c) ? c : 0;
                if (code != 101)
                {
                    var body = Encoding.UTF8.GetString(rest.Length > 1024 ? rest.Slice(0, 1024) : rest);
                    reader.AdvanceTo(buffer.End);
                    throw new NoiseUpgradeException($"unexpected HTTP response: {lines[0]} {body.Trim()}") { StatusCode = code };
                }

                // The client requires the Upgrade value to be exactly this (controlhttp/client.go).
                var upgrade = lines.Skip(1).Select(l => l.Split(':', 2)).FirstOrDefault(p => p.Length == 2 && p[0].Trim().Equals("Upgrade", StringComparison.OrdinalIgnoreCase));
                if (upgrade is null || upgrade[1].Trim() != UpgradeValue)
                {
                    reader.AdvanceTo(buffer.End);
                    throw new NoiseUpgradeException("101 without 'Upgrade: tailscale-control-protocol'") { StatusCode = code };
                }

                reader.AdvanceTo(rest.Start);
                return;
            }

            if (result.IsCompleted || buffer.Length > 16 * 1024)
            {
                throw new NoiseUpgradeException("connection closed before the HTTP response head");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static long FindHeadEnd(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> head, "\r\n\r\n"u8, advancePastDelimiter: false) ? head.Length : -1;
    }

    private static async Task<NoiseSessionKeys> FinishHandshakeAsync(PipeReader reader, NoiseInitiator initiator, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (NoiseFrameReader.TryReadHandshakeReply(ref buffer, out var reply))
            {
                reader.AdvanceTo(buffer.Start);
                if (reply.IsError)
                {
                    throw new NoiseUpgradeException($"server error: \"{reply.Error}\"") { StatusCode = 101, ServerError = reply.Error };
                }

                return initiator.Finish(reply.Response);
            }

            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                throw new NoiseUpgradeException("connection closed during the Noise handshake") { StatusCode = 101 };
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>The handler a client's HttpClient gets, without a Noise session behind it (tests of its settings).</summary>
    public static SocketsHttpHandler CreateHandlerForTesting() => CreateHandler(null);

    private static HttpClient CreateHttpClient(Uri server, NoiseStream noise)
    {
        var handler = CreateHandler(noise);

        // h2c prior knowledge needs the http scheme: SocketsHttpHandler would start TLS on an https URI.
        var baseAddress = new UriBuilder(server) { Scheme = "http", Path = "/" }.Uri;
        return new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = baseAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    private static SocketsHttpHandler CreateHandler(NoiseStream? noise)
    {
        var used = 0;
        return new SocketsHttpHandler
        {
            // One Noise session = one HTTP/2 connection; every request is a stream on it (MaxConnsPerHost: 1 upstream).
            ConnectCallback = (_, _) => noise is not null && Interlocked.Exchange(ref used, 1) == 0
                ? ValueTask.FromResult<Stream>(noise)
                : ValueTask.FromException<Stream>(new IOException("the Noise session is closed; connect again")),
            EnableMultipleHttp2Connections = false,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,

            // Tailscale's Go client announces a 4 MiB stream window (golang.org/x/net/http2 transport.go
            // transportDefaultStreamFlow); where dynamic sizing is switched off (the load generator), this is the window.
            InitialHttp2StreamWindowSize = 4 << 20,
        };
    }
}

/// <summary>tailcfg.OverTLSPublicKeyResponse as the client reads it.</summary>
internal sealed class KeyResponse
{
    [JsonPropertyName("legacyPublicKey")]
    public MachinePublic LegacyPublicKey { get; set; }

    [JsonPropertyName("publicKey")]
    public MachinePublic PublicKey { get; set; }
}

[JsonSerializable(typeof(KeyResponse))]
internal sealed partial class KeyResponseJsonContext : JsonSerializerContext;
