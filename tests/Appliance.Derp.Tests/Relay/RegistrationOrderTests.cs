using System.IO.Pipelines;
using System.Net;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Derp;

namespace Appliance.Derp.Tests.Relay;

/// <summary>
/// A client that holds its ServerInfo must already be reachable: derper registers the client before sending
/// ServerInfo (derpserver.go accept). The relay used to register after, so a packet sent to a peer the moment
/// that peer's handshake finished could be dropped as "unknown destination" on a loaded machine.
/// </summary>
public sealed class RegistrationOrderTests
{
    [Fact]
    public async Task The_server_registers_a_client_before_its_ServerInfo_is_flushed()
    {
        await using var derp = new InMemoryDerp();
        var key = NodePrivate.Generate();
        (derp.Admission as Appliance.Derp.Admission.AllowListDerpAdmission)!.Add(key.Public);
        var toServer = new Pipe();
        var toClient = new Pipe();
        var observed = new List<bool>();
        var serverOutput = new ObservingWriter(toClient.Writer, () =>
        {
            lock (observed)
            {
                observed.Add(derp.Server.IsConnected(key.Public));
            }
        });
        var accept = Task.Run(() => derp.Server.AcceptAsync(new Duplex(toServer.Reader, serverOutput), new IPEndPoint(IPAddress.Loopback, 41000), CancellationToken.None));

        await using var client = await DerpTestClient.ConnectAsync(toClient.Reader, toServer.Writer, key).WaitAsync(TimeSpan.FromSeconds(10));

        // Flush 1 carries ServerKey (nobody is registered yet); flush 2 carries ServerInfo.
        lock (observed)
        {
            Assert.True(observed.Count >= 2, $"expected at least two flushes, saw {observed.Count}");
            Assert.False(observed[0]);
            Assert.True(observed[1], "ServerInfo was flushed before the client was registered");
        }

        await toServer.Writer.CompleteAsync();
        await accept.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>Calls <paramref name="onFlush"/> as each flush starts, then forwards everything to the real writer.</summary>
    private sealed class ObservingWriter(PipeWriter inner, Action onFlush) : PipeWriter
    {
        public override void Advance(int bytes) => inner.Advance(bytes);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            onFlush();
            return inner.FlushAsync(cancellationToken);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
    }
}
