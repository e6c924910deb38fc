using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Appliance.ServerTests.Systemd;

/// <summary>
/// Sockets inside another process's network namespace (the nspawn container's, whose loopback is its own), made
/// from this test process: a dedicated thread joins the namespace with setns(2) (a per-thread change for
/// CLONE_NEWNET), creates the socket, and returns to its own namespace. A socket stays in the namespace it was made in.
/// </summary>
internal static partial class NetworkNamespace
{
    private const int CloneNewNet = 0x40000000;

    public static Socket CreateTcpSocket(int pid)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            var own = open("/proc/thread-self/ns/net", OpenReadOnly | OpenCloseOnExec);
            var target = open($"/proc/{pid}/ns/net", OpenReadOnly | OpenCloseOnExec);
            try
            {
                Check(own < 0 || target < 0 ? -1 : 0, "opening the network namespaces");
                Check(setns(target, CloneNewNet), "setns into the container");
                try
                {
                    socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                }
                finally
                {
                    Check(setns(own, CloneNewNet), "setns back");
                }
            }
#pragma warning disable CA1031 // Rethrown on the caller's thread below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = e;
            }
            finally
            {
                _ = close(own);
                _ = close(target);
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? socket! : throw new InvalidOperationException("could not make a socket in the container's network namespace", failure);
    }

    private static void Check(int result, string what)
    {
        if (result != 0)
        {
            throw new InvalidOperationException($"{what} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private const int OpenReadOnly = 0;
    private const int OpenCloseOnExec = 0x80000;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}

/// <summary>
/// Forwards TCP connections from 127.0.0.1 of the test process to 127.0.0.1:PORT inside a container, so unmodified
/// clients (HttpClient, TestKit's NoiseControlClient) reach the service that listens on the container's loopback.
/// </summary>
internal sealed class NamespaceForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly int _pid;
    private readonly int _port;

    public NamespaceForwarder(int pid, int port)
    {
        _pid = pid;
        _port = port;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = PipeAsync(client);
        }
    }

    private async Task PipeAsync(Socket client)
    {
        using (client)
        using (var inside = NetworkNamespace.CreateTcpSocket(_pid))
        {
            try
            {
                await inside.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _port), _stop.Token);
                await using var a = new NetworkStream(client, ownsSocket: false);
                await using var b = new NetworkStream(inside, ownsSocket: false);
                var up = CopyThenShutdown(a, inside, client);
                var down = CopyThenShutdown(b, client, inside);
                await Task.WhenAll(up, down);
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                // A refused connect (service restarting) or a reset ends this one connection only.
            }
        }

        async Task CopyThenShutdown(Stream from, Socket to, Socket other)
        {
            await using var target = new NetworkStream(to, ownsSocket: false);
            try
            {
                await from.CopyToAsync(target, _stop.Token);
                to.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                to.Close();
                other.Close();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
