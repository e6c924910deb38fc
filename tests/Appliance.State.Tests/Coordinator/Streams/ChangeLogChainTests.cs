using Appliance.State.Coordinator;

namespace Appliance.State.Tests.Coordinator;

/// <summary>
/// <see cref="ChangeLog.Chain"/>: a catch-up range cut into aligned intervals of versions, each the same object for
/// every stream whose range covers it (issue 16: one shared encoding per version, not per stream's baseline).
/// </summary>
public sealed class ChangeLogChainTests
{
    [Fact]
    public void A_range_is_cut_into_aligned_intervals_that_cover_it_exactly_once()
    {
        var log = Filled(versions: 40);
        var chain = log.Chain(5, 13)!;

        // (5,6] (6,8] (8,12] (12,13]: each starts where the last ended, at a multiple of its own length.
        Assert.Equal([[6L], [7L, 8L], [9L, 10L, 11L, 12L], [13L]], chain.Select(link => link.Changes.Online.Keys.Order().ToArray()).ToArray());
        Assert.Equal([6L, 8L, 12L, 13L], chain.Select(link => link.Snapshot!.Version));
    }

    [Fact]
    public void Ranges_from_different_baselines_share_their_intervals()
    {
        var log = Filled(versions: 40);
        var a = log.Chain(3, 32)!;
        var b = log.Chain(9, 32)!;
        Assert.Same(a[^1], b[^1]); // (16,32]

        // Every range within 40 versions (820 of them, as many baselines and targets as streams could have) is made
        // of the same 78 aligned intervals at most: 40 of one version, 20 of two, 10 of four, 5 of eight, 2 of 16,
        // 1 of 32. Encodings scale with versions published, not with streams.
        var all = new HashSet<CatchUp>(ReferenceEqualityComparer.Instance);
        for (var from = 0; from < 40; from++)
        {
            for (var to = from + 1; to <= 40; to++)
            {
                foreach (var link in log.Chain(from, to)!)
                {
                    all.Add(link);
                }
            }
        }

        Assert.InRange(all.Count, 40, 78);

        // Asking again gives the same objects (the encodings built for them are reused).
        Assert.Equal(b, log.Chain(9, 32)!);
    }

    [Fact]
    public void No_chain_past_its_span_or_from_the_folded_part_or_before_a_reset()
    {
        var log = Filled(versions: ChangeLog.ChainSpan + 10, capacity: 256);
        Assert.Null(log.Chain(0, ChangeLog.ChainSpan + 10));
        Assert.NotNull(log.Chain(10, ChangeLog.ChainSpan + 10));

        var small = Filled(versions: 40, capacity: 4);
        Assert.Null(small.Chain(20, 40)); // 20 lies in the folded part
        Assert.NotNull(small.Range(20, 40)); // which the merged range still serves

        small.Reset(100);
        Assert.Null(small.Chain(39, 100));
    }

    [Fact]
    public void A_version_appended_without_its_snapshot_gives_no_chain()
    {
        var log = new ChangeLog(capacity: 64);
        log.Append(1, Online(1));
        Assert.Null(log.Chain(0, 1));
        Assert.NotNull(log.Range(0, 1));
    }

    private static ChangeLog Filled(int versions, int capacity = 256)
    {
        var log = new ChangeLog(capacity);
        for (var v = 1; v <= versions; v++)
        {
            log.Append(v, Online(v), tailnetSize: 1_000, TailnetSnapshot.Empty with { Version = v });
        }

        return log;
    }

    private static ChangeSet Online(long id)
    {
        var set = new ChangeSet();
        set.AddOnline(id, online: true);
        return set;
    }
}
