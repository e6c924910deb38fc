using System.Buffers;

namespace Appliance.Derp.Relay;

/// <summary>
/// The relay's own pool of 64 KiB batch buffers (issue 16). With many pairs, hundreds of batches wait in receivers'
/// queues at once, more than <see cref="ArrayPool{T}.Shared"/> keeps per size (32 per core plus one per thread), so
/// at 50 pairs most rentals missed: a fresh 64 KiB array per batch and the garbage collections that follow (the
/// profile in docs/benchmarks.md, "Issue 16, derp helper (session 6)"). This pool keeps every returned block, up to
/// <see cref="Capacity"/>, and gives back to the GC, once per heartbeat, half of the blocks that no rental needed since
/// the previous heartbeat, so a burst's peak is not held for ever.
/// <para>Only rentals of more than <see cref="SharedLimit"/> bytes and at most <see cref="BlockSize"/> come from here
/// (as whole blocks); the rest, such as a lone packet or a control frame, stay with the shared pool. <see cref="Return"/>
/// tells them apart by length. Thread-safe; a short lock per batch, not per packet.</para>
/// </summary>
internal sealed class RelayBufferPool(int capacity)
{
    /// <summary>One batch: room for about 45 full-MTU RecvPacket frames.</summary>
    public const int BlockSize = 64 * 1024;

    /// <summary>Rentals up to this size are not worth a whole block.</summary>
    public const int SharedLimit = 16 * 1024;

    private readonly Lock _lock = new();
    private readonly byte[]?[] _free = new byte[capacity][];
    private int _count;

    /// <summary>The fewest blocks that were free at any moment since the last <see cref="Trim"/>: none of those was needed.</summary>
    private int _lowWater;

    public int Capacity => _free.Length;

    /// <summary>Blocks kept for reuse now.</summary>
    public int Free
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>A buffer of at least <paramref name="minimumLength"/> bytes: a whole block when the length calls for one.</summary>
    public byte[] Rent(int minimumLength)
    {
        if (minimumLength is <= SharedLimit or > BlockSize)
        {
            return ArrayPool<byte>.Shared.Rent(minimumLength);
        }

        lock (_lock)
        {
            if (_count > 0)
            {
                var block = _free[--_count]!;
                _free[_count] = null;
                _lowWater = Math.Min(_lowWater, _count);
                return block;
            }
        }

        return GC.AllocateUninitializedArray<byte>(BlockSize);
    }

    /// <summary>Takes back a buffer from <see cref="Rent"/>; a block beyond <see cref="Capacity"/> is left to the GC.</summary>
    public void Return(byte[] buffer)
    {
        if (buffer.Length != BlockSize)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        lock (_lock)
        {
            if (_count < _free.Length)
            {
                _free[_count++] = buffer;
            }
        }
    }

    /// <summary>
    /// Called once per heartbeat: lets go of half (rounded up) of the blocks that stayed free the whole period, so an
    /// idle relay is back to no blocks within seconds of a burst. Returns how many were let go.
    /// </summary>
    public int Trim()
    {
        lock (_lock)
        {
            var release = (_lowWater + 1) / 2;
            for (var i = 0; i < release; i++)
            {
                _free[--_count] = null;
            }

            _lowWater = _count;
            return release;
        }
    }
}
