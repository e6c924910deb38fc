namespace Appliance.Policy.Compilation;

/// <summary>
/// Which rules each node enforces, kept per destination array rather than per node: rules that apply to the same
/// nodes share one interned array, so a rule to "*" costs one entry, not one per node. A node's rules are those of
/// the few arrays it belongs to, in rule order.
/// </summary>
internal sealed class RulesByNode
{
    private readonly int[][] _rulesOfArray;
    private readonly int[][] _arraysOfNode;

    public RulesByNode(List<CompiledRule> rules, int nodeCount)
    {
        var ids = new Dictionary<int[], int>(ReferenceEqualityComparer.Instance);
        var rulesOfArray = new List<List<int>>();
        for (var r = 0; r < rules.Count; r++)
        {
            var dst = rules[r].DstNodes;
            if (dst.Length == 0)
            {
                continue;
            }

            if (!ids.TryGetValue(dst, out var id))
            {
                ids[dst] = id = rulesOfArray.Count;
                rulesOfArray.Add([]);
            }

            rulesOfArray[id].Add(r);
        }

        var arraysOfNode = new List<int>?[nodeCount];
        foreach (var (array, id) in ids)
        {
            foreach (var i in array)
            {
                (arraysOfNode[i] ??= []).Add(id);
            }
        }

        _rulesOfArray = rulesOfArray.Select(l => l.ToArray()).ToArray();
        _arraysOfNode = arraysOfNode.Select(l => l?.ToArray() ?? []).ToArray();
    }

    /// <summary>Indexes of the rules the node enforces, ascending.</summary>
    public int[] RulesAt(int node)
    {
        var arrays = _arraysOfNode[node];
        switch (arrays.Length)
        {
            case 0:
                return [];
            case 1:
                return _rulesOfArray[arrays[0]];
            default:
                var all = new int[arrays.Sum(a => _rulesOfArray[a].Length)];
                var at = 0;
                foreach (var a in arrays)
                {
                    _rulesOfArray[a].CopyTo(all, at);
                    at += _rulesOfArray[a].Length;
                }

                Array.Sort(all);
                return all;
        }
    }
}
