using Appliance.Policy.Net;

namespace Appliance.Policy.Tests.Net;

/// <summary>
/// IPSet answers membership and overlap by binary search over its sorted ranges; these tests compare every such
/// answer with the obvious definition on random small sets (addresses 0..63, so the naive check is exhaustive).
/// </summary>
public class IPSetTests
{
    private static IPRange R(int first, int last) => new(false, (UInt128)first, (UInt128)last);

    private static (IPSet Set, bool[] Members) RandomSet(Random random)
    {
        var members = new bool[64];
        var ranges = new List<IPRange>();
        for (var k = random.Next(0, 6); k > 0; k--)
        {
            var first = random.Next(64);
            var last = Math.Min(63, first + random.Next(8));
            ranges.Add(R(first, last));
            for (var a = first; a <= last; a++)
            {
                members[a] = true;
            }
        }

        return (IPSet.FromRanges(ranges), members);
    }

    [Fact]
    public void Range_and_set_queries_agree_with_address_by_address_checks()
    {
        var random = new Random(7);
        for (var round = 0; round < 2_000; round++)
        {
            var (set, members) = RandomSet(random);
            var first = random.Next(64);
            var last = Math.Min(63, first + random.Next(12));
            var range = R(first, last);
            var any = Enumerable.Range(first, last - first + 1).Any(a => members[a]);
            var all = Enumerable.Range(first, last - first + 1).All(a => members[a]);

            Assert.Equal(any, set.Overlaps(range));
            Assert.Equal(all, set.ContainsRange(range));
            Assert.Equal(members[first], set.Contains(new IPAddr(false, (UInt128)first)));

            var (other, otherMembers) = RandomSet(random);
            Assert.Equal(Enumerable.Range(0, 64).Any(a => members[a] && otherMembers[a]), set.Overlaps(other));
            Assert.Equal(Enumerable.Range(0, 64).All(a => !members[a] || otherMembers[a]), set.IsSubsetOf(other));
        }
    }

    [Fact]
    public void A_family_never_overlaps_the_other()
    {
        var v4 = IPSet.Of(IPPrefix.Parse("0.0.0.0/0"));
        var v6 = IPSet.Of(IPPrefix.Parse("::/0"));

        Assert.False(v4.Overlaps(v6));
        Assert.False(v4.OverlapsPrefix(IPPrefix.Parse("fd7a:115c:a1e0::/48")));
        Assert.True(v6.OverlapsPrefix(IPPrefix.Parse("fd7a:115c:a1e0::/48")));
        Assert.False(v6.IsSubsetOf(v4));
    }

    [Fact]
    public void A_node_address_set_holds_exactly_its_addresses()
    {
        var a = IPAddr.Parse("100.64.0.1");
        var b = IPAddr.Parse("fd7a:115c:a1e0::1");

        var set = IPSet.FromAddresses([b, a]);

        Assert.True(set.Contains(a));
        Assert.True(set.Contains(b));
        Assert.False(set.Contains(IPAddr.Parse("100.64.0.2")));
        Assert.Equal(2, set.Count);
        Assert.True(IPSet.FromAddresses([]).IsEmpty);
    }
}
