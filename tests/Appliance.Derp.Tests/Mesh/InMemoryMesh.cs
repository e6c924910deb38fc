using System.IO.Pipelines;
using System.Net;
using Appliance.Derp.Mesh;
using Appliance.Derp.Relay;
using Appliance.Derp.Tests.Relay;

namespace Appliance.Derp.Tests.Mesh;

/// <summary>
/// Dials an in-process <see cref="DerpServer"/> over in-memory pipes, as <see cref="HttpDerpMeshDialer"/> dials a real
/// one after the HTTP upgrade. <see cref="DropLink"/> cuts the current link from the outside (a network failure);
/// <see cref="Refuse"/> makes new dials fail (the peer is down).
/// </summary>
internal sealed class InMemoryMeshDialer(DerpServer target) : IDerpMeshDialer
{
    private readonly Lock _lock = new();
    private Pipe? _toServer;
    private Pipe? _toClient;

    public List<Task<DerpCloseReason>> Accepts { get; } = [];

    public volatile bool Refuse;

    public int Dials { get; private set; }

    public Task<DerpMeshTransport> DialAsync(Uri peer, CancellationToken cancellationToken)
    {
        if (Refuse)
        {
            throw new IOException("connection refused (test)");
        }

        var toServer = new Pipe();
        var toClient = new Pipe();
        lock (_lock)
        {
            _toServer = toServer;
            _toClient = toClient;
            Dials++;
            Accepts.Add(Task.Run(() => target.AcceptAsync(new Duplex(toServer.Reader, toClient.Writer), new IPEndPoint(IPAddress.Loopback, 50000), CancellationToken.None)));
        }

        return Task.FromResult(new DerpMeshTransport(new Duplex(toClient.Reader, toServer.Writer), new Nothing()));
    }

    /// <summary>Breaks the current link in both directions, as a dead TCP connection does.</summary>
    public void DropLink()
    {
        lock (_lock)
        {
            _toServer?.Writer.Complete(new IOException("link dropped (test)"));
            _toClient?.Writer.Complete(new IOException("link dropped (test)"));
        }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private sealed class Nothing : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>Two in-process relays A and B meshed with each other (each runs a mesh client to the other).</summary>
internal sealed class InMemoryMesh : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _runs = [];

    public InMemoryMesh(DerpMeshKey? keyOfA = null, DerpMeshKey? keyOfB = null)
    {
        var shared = DerpMeshKey.Generate();
        A = new InMemoryDerp(new DerpServerOptions { MeshKey = keyOfA ?? shared }, time: TimeProvider.System);
        B = new InMemoryDerp(new DerpServerOptions { MeshKey = keyOfB ?? shared }, time: TimeProvider.System);
        var fast = new DerpMeshClientOptions { MinReconnectDelay = TimeSpan.FromMilliseconds(50), MaxReconnectDelay = TimeSpan.FromMilliseconds(400) };
        ToB = new InMemoryMeshDialer(B.Server);
        ToA = new InMemoryMeshDialer(A.Server);
        AtoB = new DerpMeshClient(new Uri("https://b.test"), A.Server, A.ServerKey, keyOfA ?? shared, ToB, fast);
        BtoA = new DerpMeshClient(new Uri("https://a.test"), B.Server, B.ServerKey, keyOfB ?? shared, ToA, fast);
    }

    public InMemoryDerp A { get; }

    public InMemoryDerp B { get; }

    public InMemoryMeshDialer ToB { get; }

    public InMemoryMeshDialer ToA { get; }

    /// <summary>A's link to B: learns B's clients, forwards A's packets for them.</summary>
    public DerpMeshClient AtoB { get; }

    public DerpMeshClient BtoA { get; }

    public InMemoryMesh Start()
    {
        _runs.Add(Task.Run(() => AtoB.RunAsync(_stop.Token)));
        _runs.Add(Task.Run(() => BtoA.RunAsync(_stop.Token)));
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_runs).WaitAsync(TimeSpan.FromSeconds(10));
        ToA.DropLink();
        ToB.DropLink();
        await A.DisposeAsync();
        await B.DisposeAsync();
        _stop.Dispose();
    }
}
