using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Appliance.Protocol.Keys;

namespace Appliance.TestKit.Derp;

/// <summary>
/// Opens a DERP connection the way tailscaled does (derphttp_client.go): TCP, optionally TLS with SNI = host name,
/// <c>GET /derp</c> with <c>Upgrade: DERP</c>, expect 101, then DERP on the same stream. Loopback use only.
/// </summary>
public static class DerpHttpConnector
{
    /// <summary>Connects and completes the DERP handshake.</summary>
    public static async Task<DerpTestClient> ConnectAsync(IPEndPoint server, NodePrivate key, string hostName, X509Certificate2? trustedCertificate, CancellationToken cancellationToken = default)
    {
        var (stream, _) = await UpgradeAsync(server, hostName, trustedCertificate, "DERP", cancellationToken).ConfigureAwait(false);
        return await DerpTestClient.ConnectAsync(
            PipeReader.Create(stream, new StreamPipeReaderOptions(useZeroByteReads: true)),
            PipeWriter.Create(stream),
            key,
            stream,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends the upgrade request and reads the response head. Returns the stream positioned after the head and the head
    /// text. A non-101 status is returned too (the stream is then at the response body).
    /// </summary>
    public static async Task<(Stream Stream, string ResponseHead)> UpgradeAsync(IPEndPoint server, string hostName, X509Certificate2? trustedCertificate, string upgrade, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var tcp = new TcpClient(server.AddressFamily) { NoDelay = true };
        Stream stream;
        try
        {
            await tcp.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
            stream = tcp.GetStream();
            if (trustedCertificate is not null)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = hostName,
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                        certificate is not null && certificate.GetCertHash().AsSpan().SequenceEqual(trustedCertificate.GetCertHash()),
                }, cancellationToken).ConfigureAwait(false);
                stream = tls;
            }
        }
        catch
        {
            tcp.Dispose();
            throw;
        }

        var request = $"GET /derp HTTP/1.1\r\nHost: {hostName}\r\nUser-Agent: Go-http-client/1.1\r\nConnection: Upgrade\r\nUpgrade: {upgrade}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        var head = await ReadHeadAsync(stream, cancellationToken).ConfigureAwait(false);
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            throw new HttpUpgradeRefusedException(head);
        }

        return (stream, head);
    }

    /// <summary>Reads byte by byte up to CRLFCRLF, so that no DERP byte after the head is consumed.</summary>
    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>(256);
        var one = new byte[1];
        while (head.Count < 16 * 1024)
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                break;
            }

            head.Add(one[0]);
            if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                break;
            }
        }

        return Encoding.ASCII.GetString([.. head]);
    }
}

/// <summary>The server answered the upgrade with something other than 101.</summary>
public sealed class HttpUpgradeRefusedException : IOException
{
    public HttpUpgradeRefusedException()
    {
    }

    public HttpUpgradeRefusedException(string responseHead)
        : base("DERP upgrade refused: " + responseHead.Split('\r')[0]) => ResponseHead = responseHead;

    public HttpUpgradeRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string ResponseHead { get; } = string.Empty;
}
