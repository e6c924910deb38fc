namespace Appliance.LoadGen.Nodes;

/// <summary>
/// The peer IDs a light node holds, without the peers: a bitset for the small dense IDs servers hand out
/// (10,000 peers in 1.25 KB), a hash set for any ID beyond it. Not thread-safe: one stream reader writes it;
/// <see cref="Count"/> may be read from any thread.
/// </summary>
internal sealed class PeerIdSet
{
    private const long DenseLimit = 1 << 22;
    private ulong[] _bits = [];
    private HashSet<long>? _sparse;
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public bool Contains(long id) =>
        id is >= 0 and < DenseLimit
            ? (id >> 6) < _bits.Length && (_bits[id >> 6] & (1UL << (int)(id & 63))) != 0
            : _sparse?.Contains(id) == true;

    public void Add(long id)
    {
        if (id is >= 0 and < DenseLimit)
        {
            var word = (int)(id >> 6);
            if (word >= _bits.Length)
            {
                Array.Resize(ref _bits, Math.Max(word + 1, _bits.Length * 2));
            }

            var mask = 1UL << (int)(id & 63);
            if ((_bits[word] & mask) == 0)
            {
                _bits[word] |= mask;
                Volatile.Write(ref _count, _count + 1);
            }
        }
        else if ((_sparse ??= []).Add(id))
        {
            Volatile.Write(ref _count, _count + 1);
        }
    }

    public void Remove(long id)
    {
        if (id is >= 0 and < DenseLimit)
        {
            var word = (int)(id >> 6);
            var mask = 1UL << (int)(id & 63);
            if (word < _bits.Length && (_bits[word] & mask) != 0)
            {
                _bits[word] &= ~mask;
                Volatile.Write(ref _count, _count - 1);
            }
        }
        else if (_sparse?.Remove(id) == true)
        {
            Volatile.Write(ref _count, _count - 1);
        }
    }

    public void Clear()
    {
        Array.Clear(_bits);
        _sparse = null;
        Volatile.Write(ref _count, 0);
    }
}
