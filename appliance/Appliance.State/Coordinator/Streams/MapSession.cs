using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Appliance.Protocol.Control;

namespace Appliance.State.Coordinator;

/// <summary>
/// One connected map stream. The fan-out never blocks on it: messages go into a bounded queue with TryWrite, and a
/// stream whose queue is full is marked for resync: its reader drops the backlog and sends one fresh full map, so
/// a slow client catches up instead of being silently left behind (shared/docs/performance.md). The first message
/// is always a full map with Node. Keep-alives are queued by the coordinator's heartbeat when the stream is idle.
/// </summary>
public sealed class MapSession
{
    private readonly Channel<OutgoingMessage> _queue;
    private readonly Func<MapSession, MapResponse?> _fullMap;
    private int _resync;
    private long _lastSent;

    internal MapSession(long id, long nodeId, bool zstd, int capacity, Func<MapSession, MapResponse?> fullMap, long now)
    {
        Id = id;
        NodeId = nodeId;
        Zstd = zstd;
        _fullMap = fullMap;
        _lastSent = now;
        _queue = Channel.CreateBounded<OutgoingMessage>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public long Id { get; }

    public long NodeId { get; }

    public bool Zstd { get; }

    /// <summary>How many times this stream fell behind and was resynced with a full map.</summary>
    public int Resyncs { get; private set; }

    /// <summary>
    /// <see cref="OutgoingMessage.ChangedAt"/> of the message <see cref="ReadAllAsync"/> yielded last (0 for full maps
    /// and keep-alives), so the writer can measure change propagation once the bytes are on the wire.
    /// </summary>
    public long LastYieldedChangedAt { get; private set; }

    internal long LastSentTimestamp => Interlocked.Read(ref _lastSent);

    /// <summary>Serialises building this stream's full map against the flush computing its next delta.</summary>
    internal Lock Gate { get; } = new();

    /// <summary>The snapshot the client's state reflects (the last full map or delta); null before the first full map. Guarded by <see cref="Gate"/>.</summary>
    internal TailnetSnapshot? Baseline { get; set; }

    /// <summary>Drops queued messages a full map is about to supersede; called on the reader's own thread.</summary>
    internal void DropQueued()
    {
        while (_queue.Reader.TryRead(out _))
        {
        }
    }

    internal void Enqueue(OutgoingMessage message)
    {
        if (!_queue.Writer.TryWrite(message))
        {
            Interlocked.Exchange(ref _resync, 1);
        }
    }

    /// <summary>Messages queued for this stream and not yet read by its writer (metrics; tests wait for zero).</summary>
    public int Pending => _queue.Reader.Count;

    internal void Touch(long now) => Interlocked.Exchange(ref _lastSent, now);

    /// <summary>Ends the stream (node deleted, server stopping): the reader completes after what is queued.</summary>
    internal void Close() => _queue.Writer.TryComplete();

    /// <summary>The framed messages to write to the HTTP response, in order, until the stream is closed or cancelled.</summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var first = _fullMap(this);
        if (first is null)
        {
            yield break;
        }

        LastYieldedChangedAt = 0;
        yield return MapMessageWriter.Frame(first, Zstd);
        while (await _queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (Interlocked.Exchange(ref _resync, 0) == 1)
            {
                while (_queue.Reader.TryRead(out _))
                {
                }

                Resyncs++;
                LastYieldedChangedAt = 0;
                if (_fullMap(this) is not { } full)
                {
                    yield break;
                }

                yield return MapMessageWriter.Frame(full, Zstd);
                continue;
            }

            if (_queue.Reader.TryRead(out var message))
            {
                LastYieldedChangedAt = message.ChangedAt;
                yield return message.Framed(Zstd);
            }
        }
    }
}
