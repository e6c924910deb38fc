using System.Buffers;

namespace Appliance.Protocol.Control;

/// <summary>
/// A framed map message in a buffer rented from <see cref="MapFramePool"/>: what a full map is framed into,
/// so that the megabytes of JSON and zstd output a large tailnet's map takes are reused rather than allocated per
/// stream on the large-object heap (issue 16: every such allocation counts towards a full, O(heap) collection, which
/// made each registration cost more as the tailnet grew). Dispose it once the bytes are written; it must not be
/// read after that.
/// </summary>
public sealed class PooledFrame : IDisposable
{
    private byte[]? _buffer;

    internal PooledFrame(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => (_buffer ?? throw new ObjectDisposedException(nameof(PooledFrame))).AsMemory(0, Length);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            MapFramePool.Return(buffer);
        }
    }
}
