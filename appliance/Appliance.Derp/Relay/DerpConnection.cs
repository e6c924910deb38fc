using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Threading.Channels;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Relay;

/// <summary>
/// One admitted client. Two loops run per connection: the read loop (frames from the client, routed to other
/// connections' queues) and the write loop (this connection's queue to its pipe). A sender never waits for a receiver:
/// it only appends to the receiver's bounded queue, so one slow receiver cannot stall anyone else.
/// Split by concern: .Queue (enqueue side, any thread), .Write (write loop), .Read (read loop and frame handling).
/// </summary>
internal sealed partial class DerpConnection
{
    private readonly DerpServer _server;
    private readonly IDuplexPipe _pipe;
    private readonly CancellationTokenSource _abort;
    private readonly Channel<QueuedFrame> _queue;
    private readonly int _queueLimit;

    /// <summary>Keys that have sent to this connection: told PeerGone when this key leaves (derpserver.go, issue 150).</summary>
    private readonly ConcurrentDictionary<NodePublic, byte> _senders = new();
    private volatile bool _isActive;
    private int _closeReason = -1;

    public DerpConnection(DerpServer server, IDuplexPipe pipe, NodePublic key, IPEndPoint? remote, bool canAckPings, CancellationToken cancellationToken)
    {
        _server = server;
        _pipe = pipe;
        Key = key;
        Remote = remote;
        CanAckPings = canAckPings;
        _queueLimit = server.Options.SendQueuePackets;
        _abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _queue = Channel.CreateUnbounded<QueuedFrame>(new UnboundedChannelOptions
        {
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
    }

    public NodePublic Key { get; }

    public IPEndPoint? Remote { get; }

    public bool CanAckPings { get; }

    /// <summary>Presented the region's mesh key: a mesh peer, allowed WatchConns, ForwardPacket and ClosePeer.</summary>
    public bool CanMesh { get; init; }

    /// <summary>The client said this is its home region (NotePreferred).</summary>
    public bool Preferred { get; private set; }

    /// <summary>Among duplicate connections for one key, the one packets go to.</summary>
    public bool IsActive
    {
        get => _isActive;
        set => _isActive = value;
    }

    /// <summary>Heartbeat-thread only: when the next KeepAlive is due (TimeProvider timestamp).</summary>
    public long NextKeepAliveTimestamp { get; set; }

    public Task WriterTask { get; private set; } = Task.CompletedTask;

    public DerpCloseReason? CloseReason => _closeReason < 0 ? null : (DerpCloseReason)_closeReason;

    public void NoteSender(NodePublic sender) => _senders.TryAdd(sender, 0);

    public ICollection<NodePublic> Senders => _senders.Keys;

    public void StartWriter() => WriterTask = Task.Run(WriteLoopAsync);

    /// <summary>Closes now (Disconnect, shutdown timeout). The first reason given wins.</summary>
    public void Abort(DerpCloseReason reason)
    {
        _ = Interlocked.CompareExchange(ref _closeReason, (int)reason, -1);
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }

    /// <summary>Queues Restarting as the last frame and lets the write loop drain and stop.</summary>
    public void BeginRestart(TimeSpan reconnectIn, TimeSpan tryFor)
    {
        _ = Interlocked.CompareExchange(ref _closeReason, (int)DerpCloseReason.ServerShutdown, -1);
        EnqueueRestarting(reconnectIn, tryFor);
        _ = _queue.Writer.TryComplete();
    }

    public void Dispose() => _abort.Dispose();
}
