using System.IO.Pipelines;
using System.Net;
using Appliance.Derp.Admission;
using Appliance.Derp.Relay;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Derp;

namespace Appliance.Derp.Tests.Relay;

/// <summary>
/// A transport that fails with something other than IOException (a WebSocketStream whose peer has closed throws
/// NotSupportedException "The base stream is not writeable") ends that connection quietly: AcceptAsync returns a
/// reason instead of throwing, and the server's shutdown is not failed by it. This was the shutdown race behind the
/// intermittent DERP-over-websocket failure.
/// </summary>
public class TransportFailureTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_write_that_throws_NotSupported_ends_only_that_connection()
    {
        await using var derp = new InMemoryDerp();
        var (broken, accept) = await ConnectBreakableAsync(derp);
        var (healthy, _) = await derp.ConnectAsync();

        broken.Writer.Broken = true;
        await broken.Client.SendPingAsync(new byte[8]);

        Assert.Equal(DerpCloseReason.ClientClosed, await accept.WaitAsync(Wait));
        await healthy.SendPingAsync(new byte[8]);
        Assert.NotNull(await healthy.ReceiveAsync(DerpFrameType.Pong).WaitAsync(Wait));
    }

    [Fact]
    public async Task Shutdown_completes_when_a_clients_Restarting_frame_cannot_be_written()
    {
        await using var derp = new InMemoryDerp();
        var (broken, accept) = await ConnectBreakableAsync(derp);
        var (healthy, _) = await derp.ConnectAsync();

        broken.Writer.Broken = true;
        await derp.Server.ShutdownAsync().WaitAsync(Wait);

        Assert.Equal(DerpCloseReason.ServerShutdown, await accept.WaitAsync(Wait));
        Assert.NotNull(await healthy.ReceiveAsync(DerpFrameType.Restarting).WaitAsync(Wait));
    }

    private static async Task<((DerpTestClient Client, BreakableWriter Writer) Connection, Task<DerpCloseReason> Accept)> ConnectBreakableAsync(InMemoryDerp derp)
    {
        var key = NodePrivate.Generate();
        ((AllowListDerpAdmission)derp.Admission).Add(key.Public);
        var toServer = new Pipe();
        var toClient = new Pipe();
        var writer = new BreakableWriter(toClient.Writer);
        var accept = Task.Run(() => derp.Server.AcceptAsync(new Duplex(toServer.Reader, writer), new IPEndPoint(IPAddress.Loopback, 41000), CancellationToken.None));
        var client = await DerpTestClient.ConnectAsync(toClient.Reader, toServer.Writer, key).WaitAsync(Wait);
        return ((client, writer), accept);
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>Throws on flush, as WebSocketStream.WriteAsync does once the socket is no longer Open.</summary>
    private sealed class BreakableWriter(PipeWriter inner) : PipeWriter
    {
        public volatile bool Broken;

        public override void Advance(int bytes) => inner.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) =>
            Broken ? ValueTask.FromException<FlushResult>(new NotSupportedException("The base stream is not writeable.")) : inner.FlushAsync(cancellationToken);
    }
}
