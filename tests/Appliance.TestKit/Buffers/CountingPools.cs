using System.Buffers;

namespace Appliance.TestKit.Buffers;

/// <summary>An <see cref="ArrayPool{T}"/> over the shared one that counts what is rented and not yet returned.</summary>
public sealed class CountingArrayPool : ArrayPool<byte>
{
    private int _outstanding;
    private int _rented;

    public int Outstanding => Volatile.Read(ref _outstanding);

    public int Rented => Volatile.Read(ref _rented);

    public override byte[] Rent(int minimumLength)
    {
        Interlocked.Increment(ref _rented);
        Interlocked.Increment(ref _outstanding);
        return Shared.Rent(minimumLength);
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        Interlocked.Decrement(ref _outstanding);
        Shared.Return(array, clearArray);
    }
}

/// <summary>A <see cref="MemoryPool{T}"/> that counts the blocks rented and not yet disposed.</summary>
public sealed class CountingMemoryPool : MemoryPool<byte>
{
    private int _outstanding;
    private int _rented;

    public int Outstanding => Volatile.Read(ref _outstanding);

    public int Rented => Volatile.Read(ref _rented);

    public override int MaxBufferSize => Shared.MaxBufferSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        Interlocked.Increment(ref _rented);
        Interlocked.Increment(ref _outstanding);
        return new Block(this, Shared.Rent(minBufferSize));
    }

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Block(CountingMemoryPool pool, IMemoryOwner<byte> inner) : IMemoryOwner<byte>
    {
        private int _disposed;

        public Memory<byte> Memory => inner.Memory;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref pool._outstanding);
                inner.Dispose();
            }
        }
    }
}
