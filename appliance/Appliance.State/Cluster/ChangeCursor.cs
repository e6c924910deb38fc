namespace Appliance.State.Cluster;

/// <summary>
/// Where this instance is in the shared change sequence. Sequence numbers are handed out when a transaction writes
/// its change row but become visible when it commits, so a lower number can appear after a higher one; and a
/// rolled-back transaction leaves a number that never appears. The cursor therefore keeps a floor (every number at
/// or below it is done) plus the numbers seen above it, reads from the floor, and gives a missing number up only
/// after <see cref="GapGrace"/> (longer than any write transaction). Applying a change re-reads the current row, so
/// seeing one twice is harmless; missing one is what this prevents.
/// </summary>
public sealed class ChangeCursor(TimeProvider time)
{
    private readonly SortedSet<long> _seen = [];
    private long _gapSeq;
    private long _gapSince;

    public TimeSpan GapGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Every sequence number at or below this is applied or given up; read changes after it.</summary>
    public long Floor { get; private set; }

    /// <summary>The gaps (numbers below the highest seen, not seen yet) still waited for.</summary>
    public int PendingGaps => _seen.Count == 0 ? 0 : (int)(_seen.Max - Floor - _seen.Count);

    /// <summary>Starts over at <paramref name="floor"/> (start-up: the newest change before the tailnet was loaded).</summary>
    public void Reset(long floor)
    {
        Floor = floor;
        _seen.Clear();
        _gapSeq = 0;
    }

    /// <summary>True the first time <paramref name="seq"/> is offered (apply it), false for one already done.</summary>
    public bool Accept(long seq)
    {
        if (seq <= Floor || !_seen.Add(seq))
        {
            return false;
        }

        return true;
    }

    /// <summary>Takes back an <see cref="Accept"/> whose change could not be applied, so the next read offers it again.</summary>
    public void Forget(long seq) => _seen.Remove(seq);

    /// <summary>Moves the floor over every contiguous number seen, and over a gap that has waited past the grace.</summary>
    public void Advance()
    {
        while (_seen.Count > 0)
        {
            var next = Floor + 1;
            if (_seen.Remove(next))
            {
                Floor = next;
                continue;
            }

            var now = time.GetTimestamp();
            if (_gapSeq != next)
            {
                _gapSeq = next;
                _gapSince = now;
                return;
            }

            if (time.GetElapsedTime(_gapSince, now) < GapGrace)
            {
                return;
            }

            // Given up: a rolled-back (or never-committed) transaction's number.
            Floor = next;
        }
    }
}
