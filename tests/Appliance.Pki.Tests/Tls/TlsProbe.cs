using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Appliance.Pki.Tests.Tls;

/// <summary>A loopback TLS client that records exactly what the server presented and speaks minimal HTTP/1.1.</summary>
public sealed class TlsProbe : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _ssl;

    private TlsProbe(TcpClient tcp, SslStream ssl, X509Certificate2 leaf, IReadOnlyList<X509Certificate2> presentedChain)
    {
        _tcp = tcp;
        _ssl = ssl;
        Leaf = leaf;
        PresentedChain = presentedChain;
    }

    public X509Certificate2 Leaf { get; }

    /// <summary>The certificates the server sent after the leaf.</summary>
    public IReadOnlyList<X509Certificate2> PresentedChain { get; }

    /// <summary>Connects; <paramref name="serverName"/> null sends no SNI (as Go does when dialling an IP literal).</summary>
    public static async Task<TlsProbe> ConnectAsync(int port, string? serverName)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        X509Certificate2? leaf = null;
        List<X509Certificate2> presented = [];
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName ?? "127.0.0.1",
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13 | System.Security.Authentication.SslProtocols.Tls12,
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                leaf = new X509Certificate2(certificate!);
                // ExtraStore holds every certificate the server sent, the leaf included.
                presented = [.. chain!.ChainPolicy.ExtraStore.Where(c => c.Thumbprint != leaf.Thumbprint).Select(c => new X509Certificate2(c))];
                return true; // the tests validate what was presented themselves, against the CA's root
            },
        });
        return new TlsProbe(tcp, ssl, leaf!, presented);
    }

    /// <summary>Sends GET / on this connection and returns the body (the test server answers "ok").</summary>
    public async Task<string> GetAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _ssl.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: appliance.test\r\n\r\n"), timeout.Token);
        var buffer = new byte[4096];
        var text = new StringBuilder();
        while (!text.ToString().EndsWith("\r\n\r\nok", StringComparison.Ordinal))
        {
            var read = await _ssl.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                throw new IOException("connection closed: " + text);
            }

            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return "ok";
    }

    public async ValueTask DisposeAsync()
    {
        await _ssl.DisposeAsync();
        _tcp.Dispose();
    }
}
