namespace Appliance.Hosting.AdminConsole.Policy;

/// <summary>One line of a diff: kept (' '), removed ('-') or added ('+').</summary>
public readonly record struct DiffLine(char Kind, string Text);

/// <summary>
/// A line diff for the policy page: the common head and tail are kept as they are, the middle is a longest common
/// subsequence. The table is bounded (<see cref="MaxCells"/>); beyond it the middle is shown as all removed then
/// all added, which is still a correct (if longer) diff.
/// </summary>
public static class LineDiff
{
    public const int MaxCells = 4_000_000;

    public static IReadOnlyList<DiffLine> Compute(string before, string after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var a = Lines(before);
        var b = Lines(after);
        var head = 0;
        while (head < a.Length && head < b.Length && a[head] == b[head])
        {
            head++;
        }

        var tail = 0;
        while (tail < a.Length - head && tail < b.Length - head && a[a.Length - 1 - tail] == b[b.Length - 1 - tail])
        {
            tail++;
        }

        var result = new List<DiffLine>(a.Length + b.Length);
        result.AddRange(a[..head].Select(l => new DiffLine(' ', l)));
        var midA = a[head..(a.Length - tail)];
        var midB = b[head..(b.Length - tail)];
        if ((long)(midA.Length + 1) * (midB.Length + 1) > MaxCells)
        {
            result.AddRange(midA.Select(l => new DiffLine('-', l)));
            result.AddRange(midB.Select(l => new DiffLine('+', l)));
        }
        else
        {
            Middle(midA, midB, result);
        }

        result.AddRange(a[(a.Length - tail)..].Select(l => new DiffLine(' ', l)));
        return result;
    }

    /// <summary>True when the diff changes nothing.</summary>
    public static bool Same(IReadOnlyList<DiffLine> diff) => diff.All(l => l.Kind == ' ');

    private static void Middle(string[] a, string[] b, List<DiffLine> result)
    {
        // lcs[i, j] = length of the LCS of a[i..] and b[j..]; walked forwards to emit the diff in order.
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y])
            {
                result.Add(new DiffLine(' ', a[x++]));
                y++;
            }
            else if (lcs[x + 1, y] >= lcs[x, y + 1])
            {
                result.Add(new DiffLine('-', a[x++]));
            }
            else
            {
                result.Add(new DiffLine('+', b[y++]));
            }
        }

        while (x < a.Length)
        {
            result.Add(new DiffLine('-', a[x++]));
        }

        while (y < b.Length)
        {
            result.Add(new DiffLine('+', b[y++]));
        }
    }

    private static string[] Lines(string text) =>
        text.Length == 0 ? [] : text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
}
