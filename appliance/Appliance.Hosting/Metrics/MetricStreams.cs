using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Appliance.Hosting.Metrics;

/// <summary>
/// The OpenTelemetry view for every instrument: dropped unless <see cref="MeterScope"/> exports it, and exported with
/// a small cardinality limit. OpenTelemetry pre-allocates one metric point per allowed label set for each stream
/// (default 2,000), which was 6.3 MiB of an idle server's heap for 46 streams (docs/benchmarks.md, issue 16). Every
/// exported instrument has a handful of label values (result, reason, state, role, kind, the runtime's GC generation
/// or exception type), so 100 is far above what any of them reaches; a stream that did exceed it would report the
/// rest in OpenTelemetry's overflow series (`otel_metric_overflow="true"`) rather than lose them.
/// </summary>
public static class MetricStreams
{
    public const int CardinalityLimit = 100;

    public static MetricStreamConfiguration? For(MeterScope scope, Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return scope.Exports(instrument)
            ? new MetricStreamConfiguration { CardinalityLimit = CardinalityLimit }
            : MetricStreamConfiguration.Drop;
    }
}
