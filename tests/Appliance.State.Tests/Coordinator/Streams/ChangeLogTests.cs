using Appliance.State.Coordinator;

namespace Appliance.State.Tests.Coordinator;

/// <summary>
/// The change log behind catch-up deltas: versions older than its capacity are folded, not forgotten, so a stream
/// however far behind gets one merged range; only one older than a reset (or a fold grown past the tailnet) does not.
/// </summary>
public sealed class ChangeLogTests
{
    [Fact]
    public void A_range_reaching_past_the_kept_versions_merges_the_folded_ones()
    {
        var log = new ChangeLog(capacity: 4);
        for (var v = 1; v <= 50; v++)
        {
            log.Append(v, Online(v, online: false), tailnetSize: 100);
        }

        var range = log.Range(0, 50);
        Assert.NotNull(range);
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), range.Changes.Online.Keys.Order());

        // A baseline inside the folded part gets the nodes named after it, folded or kept, and none named before.
        var middle = log.Range(20, 50)!;
        Assert.Equal(Enumerable.Range(21, 30).Select(i => (long)i), middle.Changes.Online.Keys.Order());

        // Within the kept versions the range is exact.
        var recent = log.Range(48, 50)!;
        Assert.Equal([49L, 50L], recent.Changes.Online.Keys.Order());
    }

    [Fact]
    public void Later_changes_override_folded_ones_in_order()
    {
        var log = new ChangeLog(capacity: 2);
        log.Append(1, Online(7, online: false), tailnetSize: 10);
        log.Append(2, Removed(8), tailnetSize: 10);
        for (var v = 3; v <= 10; v++)
        {
            log.Append(v, Online(7, online: v % 2 == 0), tailnetSize: 10);
        }

        var range = log.Range(0, 10)!;
        Assert.True(range.Changes.Online[7]);
        Assert.Contains(8L, range.Changes.Removed);
    }

    [Fact]
    public void A_range_handed_out_is_not_changed_by_later_folds()
    {
        var log = new ChangeLog(capacity: 2);
        for (var v = 1; v <= 5; v++)
        {
            log.Append(v, Online(v, online: true), tailnetSize: 10);
        }

        var before = log.Range(0, 5)!;
        var count = before.Changes.Count;
        for (var v = 6; v <= 20; v++)
        {
            log.Append(v, Online(v, online: true), tailnetSize: 10);
        }

        Assert.Equal(count, before.Changes.Count);
    }

    [Fact]
    public void Nothing_before_a_reset_can_be_caught_up()
    {
        var log = new ChangeLog(capacity: 4);
        log.Append(1, Online(1, online: true));
        log.Reset(10);
        Assert.Null(log.Range(1, 10));
        log.Append(11, Online(2, online: true));
        Assert.NotNull(log.Range(10, 11));
        Assert.Null(log.Range(5, 11));
    }

    [Fact]
    public void A_fold_grown_well_past_the_tailnet_is_dropped_and_older_streams_get_a_full_map()
    {
        // Ephemeral nodes deleted for years would otherwise grow the folded part without bound.
        var log = new ChangeLog(capacity: 4);
        for (var v = 1; v <= 200; v++)
        {
            log.Append(v, Removed(1000 + v), tailnetSize: 10);
        }

        Assert.Null(log.Range(0, 200));
        var recent = log.Range(196, 200)!;
        Assert.Equal(4, recent.Changes.Removed.Count);
    }

    private static ChangeSet Online(long id, bool online)
    {
        var set = new ChangeSet();
        set.AddOnline(id, online);
        return set;
    }

    private static ChangeSet Removed(long id)
    {
        var set = new ChangeSet();
        set.AddRemoved(id);
        return set;
    }
}
