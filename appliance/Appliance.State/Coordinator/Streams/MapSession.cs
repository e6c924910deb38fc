using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Appliance.Protocol.Control;

namespace Appliance.State.Coordinator;

/// <summary>
/// One connected map stream. At most one message is outstanding: while the writer (the HTTP handler) is sending
/// one, the stream is busy and changes accumulate in the hub's <see cref="ChangeLog"/>; when the send completes the
/// stream catches up at once with one delta that merges everything that arrived meanwhile. An idle stream is handed
/// a change by the hub's fan-out as soon as it is published. A stream too far behind for a merged delta gets one
/// fresh full map (docs/architecture.md, "Map streams"). The first message is always a full map with Node;
/// keep-alives come from the coordinator's heartbeat when the stream has sent nothing for a while.
/// <para>
/// Every field below is guarded by <see cref="Gate"/> (the outermost lock, see <see cref="MapStreamHub"/>).
/// </para>
/// </summary>
public sealed class MapSession
{
    private readonly MapStreamHub _hub;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private long _lastSent;

    internal MapSession(MapStreamHub hub, long id, long nodeId, bool zstd, long now)
    {
        _hub = hub;
        Id = id;
        NodeId = nodeId;
        Zstd = zstd;
        _lastSent = now;
    }

    public long Id { get; }

    public long NodeId { get; }

    public bool Zstd { get; }

    /// <summary>How many times this stream fell behind and was resynced with a full map.</summary>
    public int Resyncs { get; internal set; }

    /// <summary>
    /// <see cref="OutgoingMessage.ChangedAt"/> of the message <see cref="ReadAllAsync"/> yielded last (0 for full maps
    /// and keep-alives), so the writer can measure change propagation once the bytes are on the wire.
    /// </summary>
    public long LastYieldedChangedAt { get; private set; }

    /// <summary>
    /// 1 while this stream has a message ready or has not yet caught up with the published tailnet, else 0
    /// (metrics; tests wait for zero).
    /// </summary>
    public int Pending
    {
        get
        {
            lock (Gate)
            {
                return Next is not null || ResyncDue || (Baseline is { } b && b.Version < _hub.LatestVersion) ? 1 : 0;
            }
        }
    }

    internal long LastSentTimestamp => Interlocked.Read(ref _lastSent);

    /// <summary>Guards this stream's send state against the fan-out, the heartbeat and its own reader.</summary>
    internal Lock Gate { get; } = new();

    /// <summary>The snapshot the client's state reflects once <see cref="Next"/> is sent; null before the first full map.</summary>
    internal TailnetSnapshot? Baseline { get; set; }

    /// <summary>A message handed over while the stream was idle, for its reader to take.</summary>
    internal OutgoingMessage? Next { get; set; }

    /// <summary>True from the moment a message is handed to the reader until it comes back with nothing left to send.</summary>
    internal bool Busy { get; set; }

    internal bool ResyncDue { get; set; }

    internal bool KeepAliveDue { get; set; }

    internal bool Closed { get; private set; }

    internal void Touch(long now) => Interlocked.Exchange(ref _lastSent, now);

    /// <summary>Marks the stream busy and wakes its reader; call under <see cref="Gate"/> on an idle stream.</summary>
    internal void Wake()
    {
        Busy = true;
        _wake.Writer.TryWrite(true);
    }

    /// <summary>Ends the stream (node deleted, disconnected, server stopping): the reader ends after what is handed over.</summary>
    internal void Close()
    {
        lock (Gate)
        {
            if (Closed)
            {
                return;
            }

            Closed = true;
            if (!Busy)
            {
                Wake();
            }
        }
    }

    /// <summary>The framed messages to write to the HTTP response, in order, until the stream is closed or cancelled.</summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Full maps come in rented buffers; each goes back to the pool once written (control is back here) or when
        // the stream ends mid-write.
        var rented = _hub.FirstMessage(this);
        if (rented is null)
        {
            yield break;
        }

        try
        {
            LastYieldedChangedAt = 0;
            yield return rented.Memory;

            // Each time control returns here the previous message has been written: the stream is free to send again.
            while (true)
            {
                rented?.Dispose();
                rented = null;
                var step = _hub.AfterSend(this);
                if (step.End)
                {
                    yield break;
                }

                if (step.Framed is { } framed)
                {
                    rented = step.Owner;
                    LastYieldedChangedAt = step.ChangedAt;
                    yield return framed;
                    continue;
                }

                await _wake.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            rented?.Dispose();
        }
    }
}

/// <summary>What a stream's reader does after a send: write <see cref="Framed"/>, end, or (neither) wait to be woken.</summary>
internal readonly record struct SendStep(ReadOnlyMemory<byte>? Framed, long ChangedAt, bool End)
{
    /// <summary>The rented buffer <see cref="Framed"/> lives in (full maps), returned by the reader once written.</summary>
    public PooledFrame? Owner { get; init; }

    public static SendStep Idle => default;

    public static SendStep Ended => new(null, 0, true);
}
