using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Appliance.Hosting.Derp.Sockets;

/// <summary>
/// A DERP connection on a socket of <see cref="DerpSocketListener"/>'s own, as the <see cref="ConnectionContext"/>
/// the DERP upgrade target runs on. Its transport reads the socket straight into 64 KiB buffers when the relay's read
/// loop asks (after a zero-byte read, so an idle connection holds no buffer, as Kestrel's does) and sends each flushed
/// batch with one send from the relay's write loop: no transport loops, no pipes between the socket and the relay.
/// No TLS feature: this is the plain HTTP listener.
/// </summary>
internal sealed class DerpSocketConnection : DefaultConnectionContext
{
    /// <summary>Read buffer and write segment size: one relay batch (Appliance.Derp RelayBufferPool's blocks, DerpConnection's FlushThreshold).</summary>
    public const int BufferBytes = 64 * 1024;

    /// <summary>A read is not started into less free space than this; about ten 1,400-byte packets.</summary>
    private const int MinimumReadBytes = 16 * 1024;

    private static long s_next;

    private readonly Socket _socket;
    private NetworkStream? _stream;

    public DerpSocketConnection(Socket socket)
        : base("derp-socket-" + Interlocked.Increment(ref s_next).ToString(System.Globalization.CultureInfo.InvariantCulture))
    {
        _socket = socket;
        RemoteEndPoint = socket.RemoteEndPoint;
        LocalEndPoint = socket.LocalEndPoint;
    }

    /// <summary>Consumes the upgrade head the listener peeked (it is already in the socket's receive buffer), then opens the transport after it.</summary>
    public async Task DiscardAsync(int length)
    {
        var head = new byte[length];
        var read = 0;
        while (read < length)
        {
            var received = await _socket.ReceiveAsync(head.AsMemory(read), SocketFlags.None, ConnectionClosed).ConfigureAwait(false);
            if (received == 0)
            {
                throw new IOException("the connection closed inside its upgrade head");
            }

            read += received;
        }

        _stream = new NetworkStream(_socket, ownsSocket: false);
        Transport = new SocketPipe(
            PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: BufferBytes, minimumReadSize: MinimumReadBytes, leaveOpen: true, useZeroByteReads: true)),
            PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: BufferBytes, leaveOpen: true)));
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        base.Abort(abortReason);
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }

        _socket.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private sealed record SocketPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
