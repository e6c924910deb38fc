namespace Appliance.LoadGen.Measure;

/// <summary>Nearest-rank percentiles over a set of samples in milliseconds (count 0: every figure 0).</summary>
internal sealed record LatencySummary(int Count, double P50Ms, double P90Ms, double P99Ms, double MaxMs)
{
    public static LatencySummary Of(IEnumerable<double> samplesMs)
    {
        var sorted = samplesMs.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0);
        }

        return new LatencySummary(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.90), Rank(sorted, 0.99), Math.Round(sorted[^1], 2));
    }

    /// <summary>The smallest sample with at least <paramref name="fraction"/> of the samples at or below it.</summary>
    private static double Rank(double[] sorted, double fraction)
    {
        var rank = (int)Math.Ceiling(fraction * sorted.Length);
        return Math.Round(sorted[Math.Clamp(rank, 1, sorted.Length) - 1], 2);
    }
}
