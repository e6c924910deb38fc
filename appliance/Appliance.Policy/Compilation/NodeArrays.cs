namespace Appliance.Policy.Compilation;

/// <summary>
/// Interns sorted node-index arrays by content. Rules that resolve to the same nodes share one array, so a
/// node's peers are the union of a few distinct arrays, told apart by reference, however many rules repeat them.
/// </summary>
internal sealed class NodeArrays : IEqualityComparer<int[]>
{
    private readonly Dictionary<int[], int[]> _interned;

    public NodeArrays() => _interned = new Dictionary<int[], int[]>(this);

    public int[] Intern(int[] sorted)
    {
        if (_interned.TryGetValue(sorted, out var existing))
        {
            return existing;
        }

        _interned[sorted] = sorted;
        return sorted;
    }

    public bool Equals(int[]? x, int[]? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(int[] obj)
    {
        var hash = new HashCode();
        hash.Add(obj.Length);
        foreach (var i in obj)
        {
            hash.Add(i);
        }

        return hash.ToHashCode();
    }
}
