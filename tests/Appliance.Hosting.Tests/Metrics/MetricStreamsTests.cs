using System.Diagnostics.Metrics;
using Appliance.Hosting.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Appliance.Hosting.Tests.Metrics;

/// <summary>
/// The view the metrics area gives OpenTelemetry, run through the real SDK: exported streams are capped at
/// <see cref="MetricStreams.CardinalityLimit"/> label sets (so the SDK pre-allocates 100 points, not 2,000) and what
/// goes past the cap is still counted in the overflow series; instruments of another host are dropped.
/// </summary>
public sealed class MetricStreamsTests
{
    [Fact]
    public void An_exported_stream_holds_at_most_the_limit_of_label_sets_and_counts_the_rest_as_overflow()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var scope = new MeterScope();
        scope.Bind(factory);
        var exporter = new CollectingExporter();
        using (var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter("Appliance.StreamsTest.*")
            .AddView(instrument => MetricStreams.For(scope, instrument))
            .AddReader(new BaseExportingMetricReader(exporter))
            .Build())
        {
            var ours = factory.Create("Appliance.StreamsTest.Ours");
            var theirs = new Meter(new MeterOptions("Appliance.StreamsTest.Theirs") { Scope = new object() });
            var counter = ours.CreateCounter<long>("appliance.streams_test.requests");
            var foreign = theirs.CreateCounter<long>("appliance.streams_test.foreign");
            const int labelSets = MetricStreams.CardinalityLimit * 3;
            for (var i = 0; i < labelSets; i++)
            {
                counter.Add(1, new KeyValuePair<string, object?>("reason", $"r{i}"));
                foreign.Add(1, new KeyValuePair<string, object?>("reason", "x"));
            }

            Assert.True(provider.ForceFlush());
            theirs.Dispose();
        }

        var seen = Assert.Single(exporter.Streams);
        Assert.Equal("appliance.streams_test.requests", seen.Name);
        Assert.InRange(seen.Points, MetricStreams.CardinalityLimit - 1, MetricStreams.CardinalityLimit + 1);
        Assert.True(seen.OverflowSum > 0, "measurements past the limit are counted in the overflow series");
        Assert.Equal(MetricStreams.CardinalityLimit * 3, seen.Sum);
    }

    private sealed record Stream(string Name, int Points, long Sum, long OverflowSum);

    private sealed class CollectingExporter : BaseExporter<Metric>
    {
        public List<Stream> Streams { get; } = [];

        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                int points = 0;
                long sum = 0, overflow = 0;
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    points++;
                    var value = point.GetSumLong();
                    sum += value;
                    foreach (var tag in point.Tags)
                    {
                        if (tag.Key == "otel.metric.overflow")
                        {
                            overflow += value;
                        }
                    }
                }

                Streams.RemoveAll(s => s.Name == metric.Name);
                Streams.Add(new Stream(metric.Name, points, sum, overflow));
            }

            return ExportResult.Success;
        }
    }
}
