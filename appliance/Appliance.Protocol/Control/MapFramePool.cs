using System.Buffers;

namespace Appliance.Protocol.Control;

/// <summary>
/// The pool full maps are serialized and framed in (<see cref="MapMessageWriter.FramePooled(MapResponse, bool)"/>,
/// issue 16: memory per connected node). Not <see cref="ArrayPool{T}.Shared"/>: that pool keeps up to 32 arrays of
/// each size per core plus one per thread, and a full map's buffers are megabytes (about 1.5 KB of JSON per peer), so
/// after a registration storm it held on the large-object heap a multiple of the largest map per core and per thread
/// pool thread, memory that grew with the tailnet and looked like a cost per node. Here each size keeps at most
/// <see cref="ArraysPerSize"/> arrays; a burst of concurrent full maps beyond that allocates and the collector frees
/// the surplus. Maps above <see cref="MaxPooledLength"/> are never kept.
/// <para>An idle pool is given back (<see cref="TrimIfIdle"/>, called periodically by the control server): the arrays
/// are sized by the largest map built, 16 MiB at 1,000 nodes and up to 8 × 32 MiB at 10,000, and are worth keeping
/// only while full maps are being built.</para>
/// </summary>
public static class MapFramePool
{
    /// <summary>Arrays kept per power-of-two size: enough for a few full maps built at once.</summary>
    public const int ArraysPerSize = 4;

    /// <summary>The largest array kept (a 10,000-node tailnet's full map is about 16 MB of JSON).</summary>
    public const int MaxPooledLength = 32 * 1024 * 1024;

    private static ArrayPool<byte> _pool = NewPool();
    private static long _rents;
    private static long _rentsAtLastCheck;
    private static int _returnedSinceTrim;

    /// <summary>How many arrays were rented so far (every rent counts as use for <see cref="TrimIfIdle"/>).</summary>
    public static long Rents => Interlocked.Read(ref _rents);

    internal static byte[] Rent(int minimumLength)
    {
        Interlocked.Increment(ref _rents);
        return Volatile.Read(ref _pool).Rent(minimumLength);
    }

    internal static void Return(byte[] array)
    {
        // An array rented before a trim goes to the new pool: both are made alike, so its size is one of its buckets.
        Volatile.Write(ref _returnedSinceTrim, 1);
        Volatile.Read(ref _pool).Return(array);
    }

    /// <summary>
    /// Drops every kept array when nothing was rented since the previous call (so call it on a fixed period: the pool
    /// is dropped after one whole period without a full map). True when it dropped arrays (false when the pool was in
    /// use or nothing was returned to it since the last trim); they are garbage from then on, freed by the next full
    /// collection.
    /// </summary>
    public static bool TrimIfIdle()
    {
        var rents = Rents;
        if (Interlocked.Exchange(ref _rentsAtLastCheck, rents) != rents)
        {
            return false;
        }

        if (Interlocked.Exchange(ref _returnedSinceTrim, 0) == 0)
        {
            return false;
        }

        Volatile.Write(ref _pool, NewPool());
        return true;
    }

    private static ArrayPool<byte> NewPool() => ArrayPool<byte>.Create(MaxPooledLength, ArraysPerSize);
}
