using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Derp.Mesh;

/// <summary>
/// Dials a mesh peer the way derphttp_client.go does: TCP to the URL's host and port, TLS (SNI = host) for https,
/// <c>GET /derp HTTP/1.1</c> with <c>Upgrade: DERP</c>, then DERP frames on the same stream after <c>101</c>.
/// </summary>
public sealed class HttpDerpMeshDialer(RemoteCertificateValidationCallback? validateCertificate = null) : IDerpMeshDialer
{
    /// <summary>An upgrade answer head longer than this is not a DERP server.</summary>
    private const int MaxHeadLength = 16 * 1024;

    public async Task<DerpMeshTransport> DialAsync(Uri peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var tcp = new TcpClient { NoDelay = true };
        Stream? stream = null;
        var handedOver = false;
        try
        {
            await tcp.ConnectAsync(peer.DnsSafeHost, peer.Port, cancellationToken).ConfigureAwait(false);
            stream = tcp.GetStream();
            if (peer.Scheme == Uri.UriSchemeHttps)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions { TargetHost = peer.DnsSafeHost, RemoteCertificateValidationCallback = validateCertificate },
                    cancellationToken).ConfigureAwait(false);
            }

            var request = $"GET /derp HTTP/1.1\r\nHost: {peer.Authority}\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            var status = await ReadStatusLineAsync(stream, cancellationToken).ConfigureAwait(false);
            if (!status.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                throw new IOException($"mesh peer {peer} refused the DERP upgrade: {status}");
            }

            var transport = new DerpMeshTransport(
                new StreamPipe(PipeReader.Create(stream, new StreamPipeReaderOptions(useZeroByteReads: true)), PipeWriter.Create(stream)),
                new Owner(stream, tcp));
            handedOver = true;
            return transport;
        }
        finally
        {
            if (!handedOver)
            {
                if (stream is not null)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }

                tcp.Dispose();
            }
        }
    }

    /// <summary>Reads the response head byte by byte up to CRLFCRLF, so no DERP byte after it is consumed; returns its first line.</summary>
    private static async Task<string> ReadStatusLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>(256);
        var one = new byte[1];
        while (head.Count < MaxHeadLength)
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new IOException("mesh peer closed the connection during the DERP upgrade");
            }

            head.Add(one[0]);
            if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                return Encoding.ASCII.GetString([.. head]).Split('\r')[0];
            }
        }

        throw new IOException("mesh peer sent an oversized HTTP head");
    }

    private sealed class StreamPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private sealed class Owner(Stream stream, TcpClient tcp) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            tcp.Dispose();
        }
    }
}
