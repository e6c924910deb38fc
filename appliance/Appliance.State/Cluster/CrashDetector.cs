namespace Appliance.State.Cluster;

/// <summary>
/// Decides from successive looks at the liveness locks (Storage's InstanceLiveness) which other instances crashed.
/// An instance counts as crashed only when this instance saw it hold its lock and then, on the same database
/// connection (<c>epoch</c>), saw it registered without the lock <see cref="ConfirmAfter"/> looks in a row:
/// <list type="bullet">
/// <item>a PostgreSQL restart drops every lock, and this instance's connection with them: the next epoch starts with
/// nobody seen, so instances still reconnecting are not declared dead (their lease still covers a real crash);</item>
/// <item>two looks (a tick apart) and not one, so that a lock missing for a moment while the server itself shuts
/// down (our connection not cut yet) is not taken for a crash;</item>
/// <item>an instance that left its registration at a clean stop is simply forgotten: it removed itself.</item>
/// </list>
/// Pure: fed by the caller, no clock, no database.
/// </summary>
public sealed class CrashDetector
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _missing = new(StringComparer.Ordinal);
    private long _epoch = long.MinValue;

    /// <summary>How many looks in a row a seen lock must be missing before its instance counts as crashed.</summary>
    public int ConfirmAfter { get; init; } = 2;

    /// <summary>
    /// Takes one look (every registered instance but this one, and whether it holds its lock) and returns the
    /// instances that crashed since the last look; each is returned once.
    /// </summary>
    public IReadOnlyList<string> Observe(long epoch, IReadOnlyDictionary<string, bool> others)
    {
        ArgumentNullException.ThrowIfNull(others);
        if (epoch != _epoch)
        {
            _epoch = epoch;
            _seen.Clear();
            _missing.Clear();
        }

        var crashed = new List<string>();
        foreach (var (id, holding) in others)
        {
            if (holding)
            {
                _seen.Add(id);
                _missing.Remove(id);
            }
            else if (_seen.Contains(id))
            {
                var looks = _missing.GetValueOrDefault(id) + 1;
                if (looks >= ConfirmAfter)
                {
                    crashed.Add(id);
                    _seen.Remove(id);
                    _missing.Remove(id);
                }
                else
                {
                    _missing[id] = looks;
                }
            }
        }

        // Seen once but no longer registered: it left cleanly (or someone already removed it).
        _seen.RemoveWhere(id => !others.ContainsKey(id));
        foreach (var id in _missing.Keys.Where(id => !others.ContainsKey(id)).ToList())
        {
            _missing.Remove(id);
        }

        return crashed;
    }
}
