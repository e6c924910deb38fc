using Appliance.State.Cluster;
using Appliance.TestKit.Time;

namespace Appliance.State.Tests.Cluster;

/// <summary>
/// The catch-up cursor over the shared change sequence: numbers become visible out of order (commit order is not
/// number order) and some never do (rolled back); the cursor must apply each once, wait for a missing one, and
/// give it up only after the grace.
/// </summary>
public sealed class ChangeCursorTests
{
    [Fact]
    public void Contiguous_numbers_move_the_floor_and_are_accepted_once()
    {
        var cursor = new ChangeCursor(TestTime.Create());
        cursor.Reset(10);

        Assert.False(cursor.Accept(10), "at the floor: already done");
        Assert.True(cursor.Accept(11));
        Assert.True(cursor.Accept(12));
        Assert.False(cursor.Accept(12));
        cursor.Advance();

        Assert.Equal(12, cursor.Floor);
        Assert.Equal(0, cursor.PendingGaps);
    }

    [Fact]
    public void A_gap_holds_the_floor_until_the_late_commit_arrives()
    {
        var time = TestTime.Create();
        var cursor = new ChangeCursor(time) { GapGrace = TimeSpan.FromSeconds(30) };
        cursor.Reset(0);
        cursor.Accept(1);
        cursor.Accept(3);
        cursor.Advance();
        Assert.Equal(1, cursor.Floor);
        Assert.Equal(1, cursor.PendingGaps);

        time.Advance(TimeSpan.FromSeconds(10));
        cursor.Advance();
        Assert.Equal(1, cursor.Floor);
        Assert.False(cursor.Accept(3), "3 is remembered above the floor");

        // 2 commits late: it is applied, and the floor moves over 2 and 3.
        Assert.True(cursor.Accept(2));
        cursor.Advance();
        Assert.Equal(3, cursor.Floor);
    }

    [Fact]
    public void A_number_that_never_commits_is_given_up_after_the_grace()
    {
        var time = TestTime.Create();
        var cursor = new ChangeCursor(time) { GapGrace = TimeSpan.FromSeconds(30) };
        cursor.Reset(0);
        cursor.Accept(2);
        cursor.Advance();
        time.Advance(TimeSpan.FromSeconds(29));
        cursor.Advance();
        Assert.Equal(0, cursor.Floor);

        time.Advance(TimeSpan.FromSeconds(2));
        cursor.Advance();

        Assert.Equal(2, cursor.Floor);
        Assert.False(cursor.Accept(1), "given up: below the floor now");
    }

    [Fact]
    public void A_forgotten_number_is_offered_again()
    {
        var cursor = new ChangeCursor(TestTime.Create());
        cursor.Reset(0);
        Assert.True(cursor.Accept(1));
        cursor.Forget(1);
        cursor.Advance();

        Assert.Equal(0, cursor.Floor);
        Assert.True(cursor.Accept(1));
    }
}
