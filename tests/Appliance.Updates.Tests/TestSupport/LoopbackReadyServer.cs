using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Updates.Tests.TestSupport;

/// <summary>
/// Answers every GET on 127.0.0.1:0 with 200 and, when <see cref="Version"/> is set, an Appliance-Version header (what
/// the appliance's /ready sends). Stands in for "some release is answering on the port" in probe tests.
/// </summary>
public sealed class LoopbackReadyServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackReadyServer(string? version)
    {
        Version = version;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>The release it claims to be; null sends no header (an appliance older than the header).</summary>
    public string? Version
    {
        get => Volatile.Read(ref _version);
        set => Volatile.Write(ref _version, value);
    }

    private string? _version;

    public int Requests => Volatile.Read(ref _requests);

    private int _requests;

    /// <summary>The head of the last request received (request line and headers).</summary>
    public string? LastRequest => Volatile.Read(ref _lastRequest);

    private string? _lastRequest;

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            using (client)
            {
                var stream = client.GetStream();
                var buffer = new byte[4096];
                var request = new StringBuilder();
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await stream.ReadAsync(buffer);
                    if (n == 0)
                    {
                        break;
                    }

                    request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }

                Volatile.Write(ref _lastRequest, request.ToString());
                Interlocked.Increment(ref _requests);
                var header = Version is { } v ? $"Appliance-Version: {v}\r\n" : string.Empty;
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\n{header}Content-Length: 5\r\nConnection: close\r\n\r\nready"));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
