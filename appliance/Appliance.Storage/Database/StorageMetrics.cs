using System.Data;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Data.Common;

namespace Appliance.Storage.Database;

/// <summary>
/// Database operation latency on the <see cref="MeterName"/> meter. Every store operation takes its own pooled
/// connection from <see cref="ApplianceDatabase.OpenConnection"/> and disposes it when done, so the time from open
/// to close is the operation's latency (busy waits included, which is what an operator needs to see). The meter is
/// process-wide because the database is opened before the host and its meter factory exist.
/// </summary>
public static class StorageMetrics
{
    public const string MeterName = "Appliance.Storage";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> Operations = Meter.CreateHistogram(
        "appliance.database.operation.duration",
        "s",
        "Time a store operation held its database connection (open to close).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5] });

    /// <summary>Records the connection's lifetime when it closes.</summary>
    internal static void Track(DbConnection connection)
    {
        var opened = Stopwatch.GetTimestamp();
        connection.StateChange += (_, change) =>
        {
            if (change.CurrentState == ConnectionState.Closed)
            {
                Operations.Record(Stopwatch.GetElapsedTime(opened).TotalSeconds);
            }
        };
    }
}
