using ZstdSharp;

namespace Appliance.Protocol.Control;

/// <summary>
/// The zstd compression contexts map messages are compressed with (issue 16: memory per connected node). A context
/// holds about a megabyte of native workspace once it has compressed a large map; one per thread (what
/// <c>[ThreadStatic]</c> gave) multiplied it by every thread-pool thread that ever framed a map, and the thread pool
/// grows with the number of streams under load (18 to 40 threads at 1,000 nodes), so it looked like a cost per node.
/// Here at most <see cref="Retained"/> contexts are kept (one per core: no more can run at once); a burst beyond that
/// creates a context for the call and disposes it afterwards.
/// </summary>
internal static class ZstdCompressorPool
{
    // Level 1: map messages are small JSON and are encoded once per change; speed matters more than ratio here.
    private const int CompressionLevel = 1;

    // Sized here, not from Retained: static initializers run in textual order.
    private static readonly Compressor?[] Slots = new Compressor?[Math.Max(1, Environment.ProcessorCount)];
    private static long _created;

    /// <summary>The most contexts kept between calls.</summary>
    public static int Retained => Slots.Length;

    /// <summary>How many contexts were ever created (tests: the pool reuses rather than creates).</summary>
    public static long Created => Interlocked.Read(ref _created);

    /// <summary>How many contexts wait in the pool now.</summary>
    public static int Idle
    {
        get
        {
            var idle = 0;
            for (var i = 0; i < Slots.Length; i++)
            {
                idle += Volatile.Read(ref Slots[i]) is null ? 0 : 1;
            }

            return idle;
        }
    }

    /// <summary>One standalone zstd frame of <paramref name="content"/> into <paramref name="destination"/>; returns its length.</summary>
    public static int Wrap(ReadOnlySpan<byte> content, Span<byte> destination)
    {
        var compressor = Rent();
        try
        {
            return compressor.Wrap(content, destination);
        }
        finally
        {
            Return(compressor);
        }
    }

    private static Compressor Rent()
    {
        for (var i = 0; i < Slots.Length; i++)
        {
            if (Interlocked.Exchange(ref Slots[i], null) is { } pooled)
            {
                return pooled;
            }
        }

        Interlocked.Increment(ref _created);
        return new Compressor(CompressionLevel);
    }

    private static void Return(Compressor compressor)
    {
        for (var i = 0; i < Slots.Length; i++)
        {
            if (Interlocked.CompareExchange(ref Slots[i], compressor, null) is null)
            {
                return;
            }
        }

        compressor.Dispose();
    }
}
