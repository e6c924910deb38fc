using System.Buffers;

namespace Appliance.Protocol.Control;

/// <summary>
/// The pool full maps are serialized and framed in (<see cref="MapMessageWriter.FramePooled"/>, issue 16: memory per
/// connected node). Not <see cref="ArrayPool{T}.Shared"/>: that pool keeps up to 32 arrays of each size per core plus
/// one per thread, and a full map's buffers are megabytes (about 1.5 KB of JSON per peer), so after a registration
/// storm it held on the large-object heap a multiple of the largest map per core and per thread pool thread, memory
/// that grew with the tailnet and looked like a cost per node. Here each size keeps at most
/// <see cref="ArraysPerSize"/> arrays; a burst of concurrent full maps beyond that allocates and the collector frees
/// the surplus. Maps above <see cref="MaxPooledLength"/> are never kept.
/// </summary>
internal static class MapFramePool
{
    /// <summary>Arrays kept per power-of-two size: enough for a few full maps built at once.</summary>
    public const int ArraysPerSize = 4;

    /// <summary>The largest array kept (a 10,000-node tailnet's full map is about 16 MB of JSON).</summary>
    public const int MaxPooledLength = 32 * 1024 * 1024;

    public static ArrayPool<byte> Pool { get; } = ArrayPool<byte>.Create(MaxPooledLength, ArraysPerSize);
}
