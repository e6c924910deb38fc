using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace Appliance.Protocol.Control;

/// <summary>
/// Full maps for zstd streams compressed from cached blocks of peers (issue 16: a full map at 10,000 nodes cost
/// 60 ms, most of it compressing 15 MB of peer JSON that had not changed since the previous full map). The body of
/// the message is a run of standalone zstd frames whose contents, concatenated, are the MapResponse JSON:
/// <code>
///   zstd("{\"Peers\":[") | zstd(block 0: "p,p,...,p,") | ... | zstd(last block: "p,...,p" + "]," + the other members + "}")
/// </code>
/// Tailscale's client decodes a map message with <c>zstdframe.AppendDecode</c>, whose input "may consist of zero or more
/// frames" (tailscale util/zstdframe/zstd.go; control/controlclient/map.go decodeMsg), as does RFC 8878 §3.1 (a zstd
/// stream is a sequence of frames) and every zstd library's one-shot decoder. Peers are grouped by node ID into
/// blocks of <see cref="PeersPerBlock"/> (ID / 64), so a join or a change touches one block and leaves the others'
/// compressed bytes valid; a block is reused only when it holds exactly the same shared Node objects (a re-projected
/// node is a new object, see <see cref="NodeJson"/>), so a stale block can never be sent. The receiver's own block
/// (it lacks the receiver), blocks holding personal Node copies (routes cut by a policy) and the last block are
/// compressed for this map only.
/// </summary>
public sealed class PeerBlockCache
{
    /// <summary>Peers per block: about 100 KB of JSON, large enough for zstd to find the repeats between peers.</summary>
    public const int PeersPerBlock = 64;

    private static readonly byte[] PeersOpen = MapMessageWriter.Compress("{\"Peers\":["u8);

    private readonly ConcurrentDictionary<long, Block> _blocks = new();
    private long _compressed;
    private long _reused;

    /// <summary>How many blocks were compressed so far (misses): for tests and benchmarks.</summary>
    public long Compressed => Interlocked.Read(ref _compressed);

    /// <summary>How many blocks were reused so far (hits).</summary>
    public long Reused => Interlocked.Read(ref _reused);

    /// <summary>
    /// Frames a full map for a zstd stream: <paramref name="message"/> (without <c>Peers</c>) with
    /// <paramref name="peers"/>, in the order given; <see cref="PeerJson.Shared"/> marks a peer whose Node is the
    /// shared projection (cacheable). <paramref name="receiver"/>'s own block lacks it, so it is neither taken from
    /// nor put into the cache.
    /// </summary>
    public PooledFrame FrameZstd(MapResponse message, IReadOnlyList<PeerJson> peers, long receiver)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(peers);
        if (message.Peers is not null)
        {
            throw new ArgumentException("the message's peers must be passed encoded, not in the message", nameof(message));
        }

        if (peers.Count == 0)
        {
            return MapMessageWriter.FramePooled(message, zstd: true);
        }

        var frames = new List<byte[]> { PeersOpen };
        var start = 0;
        while (true)
        {
            var end = start + 1;
            var block = BlockOf(peers[start]);
            while (end < peers.Count && BlockOf(peers[end]) == block)
            {
                end++;
            }

            if (end == peers.Count)
            {
                return Assemble(frames, peers, start, message);
            }

            frames.Add(CompressedBlock(block, peers, start, end, cacheable: block != receiver / PeersPerBlock));
            start = end;
        }
    }

    /// <summary>Forgets every block (benchmarks measure a full map with nothing cached this way).</summary>
    public void Clear() => _blocks.Clear();

    private static long BlockOf(PeerJson peer) => peer.Node.ID / PeersPerBlock;

    private byte[] CompressedBlock(long block, IReadOnlyList<PeerJson> peers, int start, int end, bool cacheable)
    {
        var shared = cacheable;
        for (var i = start; i < end && shared; i++)
        {
            shared = peers[i].Shared;
        }

        if (shared && _blocks.TryGetValue(block, out var cached) && cached.Holds(peers, start, end))
        {
            Interlocked.Increment(ref _reused);
            return cached.Frame;
        }

        using var json = new PooledBufferWriter(16 * 1024);
        for (var i = start; i < end; i++)
        {
            Append(json, peers[i].Json);
            Append(json, ","u8);
        }

        var frame = MapMessageWriter.Compress(json.WrittenSpan);
        Interlocked.Increment(ref _compressed);
        if (shared)
        {
            var members = new Node[end - start];
            for (var i = start; i < end; i++)
            {
                members[i - start] = peers[i].Node;
            }

            _blocks[block] = new Block(members, frame);
        }

        return frame;
    }

    /// <summary>The last block, the end of the array and the message's other members as one frame, after the others.</summary>
    private static PooledFrame Assemble(List<byte[]> frames, IReadOnlyList<PeerJson> peers, int lastStart, MapResponse message)
    {
        using var rest = new PooledBufferWriter(16 * 1024);
        using (var writer = new System.Text.Json.Utf8JsonWriter(rest))
        {
            System.Text.Json.JsonSerializer.Serialize(writer, message, ControlJsonContext.Default.MapResponse);
        }

        using var tail = new PooledBufferWriter(rest.WrittenSpan.Length + (16 * 1024));
        for (var i = lastStart; i < peers.Count; i++)
        {
            if (i > lastStart)
            {
                Append(tail, ","u8);
            }

            Append(tail, peers[i].Json);
        }

        // rest is "{}" or "{...}": continue the object after the peers with its members (or close it).
        var members = rest.WrittenSpan[1..];
        Append(tail, members.Length > 1 ? "],"u8 : "]"u8);
        Append(tail, members);

        var size = 4 + MapMessageWriter.CompressBound(tail.WrittenSpan.Length);
        foreach (var frame in frames)
        {
            size += frame.Length;
        }

        var buffer = MapFramePool.Rent(size);
        try
        {
            var written = 4;
            foreach (var frame in frames)
            {
                frame.CopyTo(buffer.AsSpan(written));
                written += frame.Length;
            }

            written += MapMessageWriter.Compress(tail.WrittenSpan, buffer.AsSpan(written));
            BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)(written - 4));
            return new PooledFrame(buffer, written);
        }
        catch
        {
            MapFramePool.Return(buffer);
            throw;
        }
    }

    private static void Append(PooledBufferWriter writer, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }

    private sealed class Block(Node[] members, byte[] frame)
    {
        public byte[] Frame { get; } = frame;

        public bool Holds(IReadOnlyList<PeerJson> peers, int start, int end)
        {
            if (members.Length != end - start)
            {
                return false;
            }

            for (var i = start; i < end; i++)
            {
                if (!ReferenceEquals(members[i - start], peers[i].Node))
                {
                    return false;
                }
            }

            return true;
        }
    }
}

/// <summary>A peer of a full map: its Node and whether that Node is the shared projection (cacheable).</summary>
public readonly record struct PeerJson(Node Node, bool Shared)
{
    /// <summary>The Node's JSON: the shared encoding (<see cref="NodeJson.Shared"/>) or one made for this map.</summary>
    public byte[] Json => Shared ? NodeJson.Shared(Node) : NodeJson.Encode(Node);
}
