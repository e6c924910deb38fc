namespace Appliance.Policy.Compilation;

/// <summary>
/// A set of node indexes as one bit per node: union and membership are a few instructions, which is what
/// per-node peer derivation and route visibility need at 10,000 nodes.
/// </summary>
internal sealed class NodeBits
{
    private readonly ulong[] _words;

    public NodeBits(int nodeCount) => _words = new ulong[(nodeCount + 63) >> 6];

    public void Add(int node) => _words[node >> 6] |= 1UL << (node & 63);

    public void Remove(int node) => _words[node >> 6] &= ~(1UL << (node & 63));

    public bool Contains(int node) => (_words[node >> 6] & (1UL << (node & 63))) != 0;

    public void AddAll(int[] nodes)
    {
        foreach (var n in nodes)
        {
            _words[n >> 6] |= 1UL << (n & 63);
        }
    }

    public int Count()
    {
        var count = 0;
        foreach (var w in _words)
        {
            count += System.Numerics.BitOperations.PopCount(w);
        }

        return count;
    }

    /// <summary>Members in ascending order, as an array (a tight loop; the hot path avoids an enumerator).</summary>
    public int[] ToArray()
    {
        var result = new int[Count()];
        var at = 0;
        for (var w = 0; w < _words.Length; w++)
        {
            var word = _words[w];
            while (word != 0)
            {
                result[at++] = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(word);
                word &= word - 1;
            }
        }

        return result;
    }
}
