using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using ZstdSharp;

namespace Appliance.Protocol.Control;

/// <summary>
/// Frames one map-stream message (docs/wire/control.md "/machine/map"; tailscale control/controlclient/direct.go decodeMsg,
/// util/zstdframe/zstd.go):
/// <code>
///   u32 LE length | body[length]
///   body = one standalone zstd frame (magic 28 B5 2F FD) of the MapResponse JSON when the request said
///          Compress:"zstd" (every current client), otherwise the raw JSON.
/// </code>
/// A framed message is immutable bytes, so one encoding can be written to every stream that gets the same message.
/// Full maps for zstd streams are several such frames back to back (<see cref="PeerBlockCache"/>, decision 0104).
/// Compression contexts come from <see cref="ZstdCompressorPool"/> (at most one per core is kept).
/// </summary>
public static class MapMessageWriter
{
    public static byte[] Frame(MapResponse message, bool zstd) => Frame(ControlJson.Serialize(message), zstd);

    public static byte[] Frame(ReadOnlySpan<byte> json, bool zstd)
    {
        if (!zstd)
        {
            var raw = new byte[4 + json.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(raw, (uint)json.Length);
            json.CopyTo(raw.AsSpan(4));
            return raw;
        }

        var bound = Compressor.GetCompressBound(json.Length);
        var framed = new byte[4 + bound];
        var written = ZstdCompressorPool.Wrap(json, framed.AsSpan(4));
        BinaryPrimitives.WriteUInt32LittleEndian(framed, (uint)written);
        return framed.AsSpan(0, 4 + written).ToArray();
    }

    /// <summary>
    /// Frames <paramref name="message"/> into a rented buffer (<see cref="PooledFrame"/>): for full maps, which are
    /// large (about 1 KB of JSON per peer) and written to one stream only. The JSON is written into a rented buffer
    /// too, so a full map allocates no large arrays at all.
    /// </summary>
    public static PooledFrame FramePooled(MapResponse message, bool zstd)
    {
        using var json = new PooledBufferWriter(64 * 1024);
        using (var writer = new Utf8JsonWriter(json))
        {
            JsonSerializer.Serialize(writer, message, ControlJsonContext.Default.MapResponse);
        }

        return FrameIntoPool(json.WrittenSpan, zstd);
    }

    private static PooledFrame FrameIntoPool(ReadOnlySpan<byte> body, bool zstd)
    {
        var capacity = 4 + (zstd ? Compressor.GetCompressBound(body.Length) : body.Length);
        var framed = MapFramePool.Rent(capacity);
        try
        {
            int written;
            if (zstd)
            {
                written = ZstdCompressorPool.Wrap(body, framed.AsSpan(4));
            }
            else
            {
                body.CopyTo(framed.AsSpan(4));
                written = body.Length;
            }

            BinaryPrimitives.WriteUInt32LittleEndian(framed, (uint)written);
            return new PooledFrame(framed, 4 + written);
        }
        catch
        {
            MapFramePool.Return(framed);
            throw;
        }
    }

    /// <summary>
    /// Frames a full map whose peers come already encoded (<see cref="NodeJson"/>): <c>{"Peers":[p1,p2,...],</c>
    /// followed by the rest of <paramref name="message"/> (which must have no <c>Peers</c> of its own), so the map
    /// costs a copy per peer instead of a serialization. JSON member order carries no meaning (tailcfg is decoded by
    /// name), and the bytes decode to the same MapResponse as serializing it with the peers in place.
    /// </summary>
    public static PooledFrame FramePooled(MapResponse message, IReadOnlyList<byte[]> peers, bool zstd)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(peers);
        if (message.Peers is not null)
        {
            throw new ArgumentException("the message's peers must be passed encoded, not in the message", nameof(message));
        }

        if (peers.Count == 0)
        {
            return FramePooled(message, zstd);
        }

        using var rest = new PooledBufferWriter(16 * 1024);
        using (var writer = new Utf8JsonWriter(rest))
        {
            JsonSerializer.Serialize(writer, message, ControlJsonContext.Default.MapResponse);
        }

        var size = rest.WrittenSpan.Length + 16;
        foreach (var peer in peers)
        {
            size += peer.Length + 1;
        }

        using var json = new PooledBufferWriter(size);
        Append(json, "{\"Peers\":["u8);
        for (var i = 0; i < peers.Count; i++)
        {
            if (i > 0)
            {
                Append(json, ","u8);
            }

            Append(json, peers[i]);
        }

        // rest is "{}" or "{...}": continue the object after the peers with its members (or close it).
        var members = rest.WrittenSpan[1..];
        Append(json, members.Length > 1 ? "],"u8 : "]"u8);
        Append(json, members);
        return FrameIntoPool(json.WrittenSpan, zstd);
    }

    private static void Append(PooledBufferWriter writer, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }

    /// <summary>One standalone zstd frame of <paramref name="content"/> (no length prefix), at this writer's level.</summary>
    internal static byte[] Compress(ReadOnlySpan<byte> content)
    {
        var scratch = MapFramePool.Rent(CompressBound(content.Length));
        try
        {
            return scratch.AsSpan(0, Compress(content, scratch)).ToArray();
        }
        finally
        {
            MapFramePool.Return(scratch);
        }
    }

    /// <summary>Compresses <paramref name="content"/> into <paramref name="destination"/> (at least <see cref="CompressBound"/> long).</summary>
    internal static int Compress(ReadOnlySpan<byte> content, Span<byte> destination) => ZstdCompressorPool.Wrap(content, destination);

    internal static int CompressBound(int length) => Compressor.GetCompressBound(length);

    /// <summary>The keep-alive message <c>{"KeepAlive":true}</c>, framed once per encoding.</summary>
    public static ReadOnlyMemory<byte> KeepAlive(bool zstd) => zstd ? KeepAliveZstd.Value : KeepAliveRaw.Value;

    private static readonly Lazy<byte[]> KeepAliveZstd = new(() => Frame(new MapResponse { KeepAlive = true }, zstd: true));
    private static readonly Lazy<byte[]> KeepAliveRaw = new(() => Frame(new MapResponse { KeepAlive = true }, zstd: false));
}
