using System.IO.Pipelines;
using System.Net;
using Appliance.Derp.Admission;
using Appliance.Derp.Relay;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Derp;

namespace Appliance.Derp.Tests.Relay;

/// <summary>A DerpServer with clients on in-memory pipes (tier 2: no sockets). Disposing shuts the server down.</summary>
internal sealed class InMemoryDerp : IAsyncDisposable
{
    private readonly List<Task<DerpCloseReason>> _accepts = [];

    public InMemoryDerp(DerpServerOptions? options = null, IDerpAdmission? admission = null, TimeProvider? time = null)
    {
        ServerKey = NodePrivate.Generate();
        Admission = admission ?? new AllowListDerpAdmission([]);
        Time = time ?? new ManualTimeProvider();
        Server = new DerpServer(ServerKey, Admission, options ?? new DerpServerOptions(), Time);
    }

    public NodePrivate ServerKey { get; }

    public IDerpAdmission Admission { get; }

    public TimeProvider Time { get; }

    public DerpServer Server { get; }

    /// <summary>Opens a raw connection: returns the client's pipe ends and the server's AcceptAsync task.</summary>
    public (PipeReader Input, PipeWriter Output, Task<DerpCloseReason> Accept) Open(PipeOptions? clientReceiveOptions = null)
    {
        var toServer = new Pipe();
        var toClient = new Pipe(clientReceiveOptions ?? PipeOptions.Default);
        var accept = Task.Run(() => Server.AcceptAsync(new Duplex(toServer.Reader, toClient.Writer), new IPEndPoint(IPAddress.Loopback, 40000 + _accepts.Count), CancellationToken.None));
        _accepts.Add(accept);
        return (toClient.Reader, toServer.Writer, accept);
    }

    /// <summary>Admits a new key (when the admission is an allow-list) and completes the handshake.</summary>
    public async Task<(DerpTestClient Client, Task<DerpCloseReason> Accept)> ConnectAsync(NodePrivate? key = null, PipeOptions? clientReceiveOptions = null)
    {
        key ??= NodePrivate.Generate();
        (Admission as AllowListDerpAdmission)?.Add(key.Public);
        var (input, output, accept) = Open(clientReceiveOptions);
        var client = await DerpTestClient.ConnectAsync(input, output, key).WaitAsync(TimeSpan.FromSeconds(10));
        return (client, accept);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Task.WhenAll(_accepts).WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
