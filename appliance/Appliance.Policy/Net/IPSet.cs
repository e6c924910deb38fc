namespace Appliance.Policy.Net;

/// <summary>
/// An immutable set of addresses kept as sorted, disjoint, non-adjacent ranges per family
/// (the shape of go4.org/netipx.IPSet, which Tailscale and headscale use to print SrcIPs).
/// </summary>
public sealed class IPSet
{
    public static readonly IPSet Empty = new([], []);

    private readonly IPRange[] _v4;
    private readonly IPRange[] _v6;

    private IPSet(IPRange[] v4, IPRange[] v6)
    {
        _v4 = v4;
        _v6 = v6;
    }

    public bool IsEmpty => _v4.Length == 0 && _v6.Length == 0;

    public IEnumerable<IPRange> Ranges => _v4.Concat(_v6);

    public static IPSet FromRanges(IEnumerable<IPRange> ranges)
    {
        var v4 = new List<IPRange>();
        var v6 = new List<IPRange>();
        foreach (var r in ranges)
        {
            (r.IsV6 ? v6 : v4).Add(r);
        }

        return new IPSet(Normalize(v4), Normalize(v6));
    }

    public static IPSet FromPrefixes(IEnumerable<IPPrefix> prefixes) => FromRanges(prefixes.Select(IPRange.FromPrefix));

    /// <summary>One node's addresses (a handful) without the general path's sorting and merging machinery.</summary>
    public static IPSet FromAddresses(IReadOnlyList<IPAddr> addresses)
    {
        if (addresses.Count == 0)
        {
            return Empty;
        }

        if (addresses.Count > 2)
        {
            return FromPrefixes(addresses.Select(IPPrefix.Host));
        }

        var a = addresses[0];
        if (addresses.Count == 1)
        {
            var only = new[] { new IPRange(a.IsV6, a.Value, a.Value) };
            return a.IsV6 ? new IPSet([], only) : new IPSet(only, []);
        }

        var b = addresses[1];
        if (a.IsV6 != b.IsV6)
        {
            var (v4, v6) = a.IsV6 ? (b, a) : (a, b);
            return new IPSet([new IPRange(false, v4.Value, v4.Value)], [new IPRange(true, v6.Value, v6.Value)]);
        }

        return FromPrefixes(addresses.Select(IPPrefix.Host));
    }

    public static IPSet Of(params IPPrefix[] prefixes) => FromPrefixes(prefixes);

    public IPSet Union(IPSet other) =>
        other.IsEmpty ? this : IsEmpty ? other : FromRanges(Ranges.Concat(other.Ranges));

    public static IPSet UnionAll(IEnumerable<IPSet> sets) => FromRanges(sets.SelectMany(s => s.Ranges));

    public IPSet Except(IPSet other)
    {
        if (other.IsEmpty || IsEmpty)
        {
            return this;
        }

        return new IPSet(Subtract(_v4, other._v4), Subtract(_v6, other._v6));
    }

    public IPSet Intersect(IPSet other)
    {
        return new IPSet(IntersectFamily(_v4, other._v4), IntersectFamily(_v6, other._v6));
    }

    public bool Contains(IPAddr addr)
    {
        var list = addr.IsV6 ? _v6 : _v4;
        var at = FirstEndingAtOrAfter(list, addr.Value);
        return at < list.Length && list[at].First <= addr.Value;
    }

    public bool Overlaps(IPRange range)
    {
        // Ranges are sorted and disjoint: only the first one ending at or after range.First can overlap first.
        var list = range.IsV6 ? _v6 : _v4;
        var at = FirstEndingAtOrAfter(list, range.First);
        return at < list.Length && list[at].First <= range.Last;
    }

    public bool OverlapsPrefix(IPPrefix prefix) => Overlaps(IPRange.FromPrefix(prefix));

    public bool Overlaps(IPSet other)
    {
        // Walk the smaller set, probe the larger one.
        var (small, large) = other.Count <= Count ? (other, this) : (this, other);
        foreach (var r in small._v4)
        {
            if (large.Overlaps(r))
            {
                return true;
            }
        }

        foreach (var r in small._v6)
        {
            if (large.Overlaps(r))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Number of ranges (both families).</summary>
    public int Count => _v4.Length + _v6.Length;

    /// <summary>True when every address of <paramref name="range"/> is in this set.</summary>
    public bool ContainsRange(IPRange range)
    {
        // Ranges are disjoint and non-adjacent, so a contained range lies inside the one holding its first address.
        var list = range.IsV6 ? _v6 : _v4;
        var at = FirstEndingAtOrAfter(list, range.First);
        return at < list.Length && list[at].First <= range.First && range.Last <= list[at].Last;
    }

    /// <summary>Binary search over sorted, disjoint ranges: the index of the first range whose end is at or after <paramref name="value"/> (list.Length if none).</summary>
    private static int FirstEndingAtOrAfter(IPRange[] list, UInt128 value)
    {
        int lo = 0, hi = list.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (list[mid].Last < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    public bool IsSubsetOf(IPSet other)
    {
        foreach (var r in _v4)
        {
            if (!other.ContainsRange(r))
            {
                return false;
            }
        }

        foreach (var r in _v6)
        {
            if (!other.ContainsRange(r))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The fewest CIDR prefixes covering exactly this set, in address order (IPv4 first).</summary>
    public IReadOnlyList<IPPrefix> Prefixes()
    {
        var result = new List<IPPrefix>();
        foreach (var r in Ranges)
        {
            AppendPrefixes(r, result);
        }

        return result;
    }

    /// <summary>The set as Tailscale prints SrcIPs: one entry per range (host, prefix, or "a-b").</summary>
    public IReadOnlyList<string> ToStrings() => Ranges.Select(r => r.ToString()).ToList();

    private static void AppendPrefixes(IPRange r, List<IPPrefix> result)
    {
        var width = r.IsV6 ? 128 : 32;
        var first = r.First;
        while (true)
        {
            // Largest aligned block starting at first that does not pass r.Last.
            var bits = width;
            while (bits > 0)
            {
                var candidate = bits - 1;
                var hostMask = ~IPPrefix.Mask(r.IsV6, candidate) & IPAddr.MaxValue(r.IsV6);
                if ((first & hostMask) != 0 || (first | hostMask) > r.Last)
                {
                    break;
                }

                bits = candidate;
            }

            var prefix = new IPPrefix(new IPAddr(r.IsV6, first), bits);
            result.Add(prefix);
            var last = prefix.Last;
            if (last >= r.Last)
            {
                return;
            }

            first = last + 1;
        }
    }

    private static IPRange[] Normalize(List<IPRange> list)
    {
        if (list.Count == 0)
        {
            return [];
        }

        list.Sort((a, b) => a.First.CompareTo(b.First));
        var result = new List<IPRange>(list.Count);
        var current = list[0];
        for (var i = 1; i < list.Count; i++)
        {
            var next = list[i];
            if (current.Last == UInt128.MaxValue || next.First <= current.Last + 1)
            {
                if (next.Last > current.Last)
                {
                    current = current with { Last = next.Last };
                }
            }
            else
            {
                result.Add(current);
                current = next;
            }
        }

        result.Add(current);
        return result.ToArray();
    }

    private static IPRange[] Subtract(IPRange[] from, IPRange[] remove)
    {
        var result = new List<IPRange>();
        foreach (var r in from)
        {
            var pieces = new List<IPRange> { r };
            foreach (var cut in remove)
            {
                var next = new List<IPRange>();
                foreach (var p in pieces)
                {
                    if (cut.Last < p.First || cut.First > p.Last)
                    {
                        next.Add(p);
                        continue;
                    }

                    if (cut.First > p.First)
                    {
                        next.Add(p with { Last = cut.First - 1 });
                    }

                    if (cut.Last < p.Last)
                    {
                        next.Add(p with { First = cut.Last + 1 });
                    }
                }

                pieces = next;
            }

            result.AddRange(pieces);
        }

        return result.ToArray();
    }

    private static IPRange[] IntersectFamily(IPRange[] a, IPRange[] b)
    {
        var result = new List<IPRange>();
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            var first = UInt128.Max(a[i].First, b[j].First);
            var last = UInt128.Min(a[i].Last, b[j].Last);
            if (first <= last)
            {
                result.Add(a[i] with { First = first, Last = last });
            }

            if (a[i].Last < b[j].Last)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return result.ToArray();
    }
}
