using System.Net;
using System.Net.Sockets;
using Appliance.Protocol.Stun;

namespace Appliance.Derp.Stun;

/// <summary>
/// UDP STUN server: one socket, one receive loop, answers sent straight back to the source. Owns its socket.
/// An IPv6-any bind is dual-mode, so IPv4 clients are answered with family 01 (v4-mapped sources are unmapped).
/// </summary>
public sealed class StunListener : IDisposable
{
    /// <summary>Largest datagram read; a Binding Request is 40 bytes, so anything bigger is not one.</summary>
    private const int ReceiveBufferSize = 1500;

    private readonly Socket _socket;

    private StunListener(Socket socket) => _socket = socket;

    public StunMetrics Metrics { get; } = new();

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Binds the UDP socket now, so that a port conflict fails startup with a clear error.</summary>
    public static StunListener Bind(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endpoint);
            return new StunListener(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Answers requests until cancelled. Errors on single datagrams (ICMP unreachable echoes) do not stop it.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var receive = new byte[ReceiveBufferSize];
        var response = new byte[StunBindingResponse.MaxLength];
        EndPoint any = _socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _socket.ReceiveFromAsync(receive, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            _ = Interlocked.Increment(ref Metrics.RequestsValue);
            var source = (IPEndPoint)result.RemoteEndPoint;
            var length = StunResponder.TryRespond(receive.AsSpan(0, result.ReceivedBytes), source, response);
            if (length == 0)
            {
                _ = Interlocked.Increment(ref Metrics.IgnoredValue);
                continue;
            }

            try
            {
                _ = await _socket.SendToAsync(response.AsMemory(0, length), SocketFlags.None, source, cancellationToken).ConfigureAwait(false);
                _ = Interlocked.Increment(ref Metrics.ResponsesValue);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                // The client went away; nothing to do.
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
