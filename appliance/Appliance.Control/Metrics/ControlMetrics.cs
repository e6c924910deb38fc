using System.Diagnostics;
using System.Diagnostics.Metrics;
using Appliance.State.Coordinator;

namespace Appliance.Control.Metrics;

/// <summary>
/// The control plane's instruments on the <see cref="MeterName"/> meter. Gauges read the coordinator's immutable
/// snapshot at collection time (no bookkeeping on the write path); counters are bumped by the /machine handlers,
/// where the outcome of each request is known.
/// </summary>
public sealed class ControlMetrics
{
    public const string MeterName = "Appliance.Control";

    private readonly Counter<long> _registrations;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _mapMessages;
    private readonly Counter<long> _mapBytes;
    private readonly Histogram<double> _propagation;

    public ControlMetrics(IMeterFactory factory, ControlCoordinator coordinator)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(coordinator);
        Meter = factory.Create(MeterName);
        Meter.CreateObservableGauge("appliance.nodes", () => NodesByState(coordinator), "{node}", "Registered nodes by state: online (a map stream is open), offline, expired (node key expired).");
        Meter.CreateObservableUpDownCounter("appliance.control.map_streams", () => coordinator.ConnectedStreams, "{stream}", "Connected map long-poll streams.");
        _registrations = Meter.CreateCounter<long>("appliance.control.registrations", "{request}", "Register requests by result: accepted, or refused as unauthorized, conflict, invalid.");
        _refusals = Meter.CreateCounter<long>("appliance.control.refusals", "{request}", "/machine requests refused before the coordinator saw them, by reason.");
        _mapMessages = Meter.CreateCounter<long>("appliance.control.map.messages", "{message}", "Framed map messages written to clients (full maps, deltas, keep-alives).");
        _mapBytes = Meter.CreateCounter<long>("appliance.control.map.bytes", "By", "Bytes of framed map messages written to clients.");
        _propagation = Meter.CreateHistogram(
            "appliance.control.change_propagation",
            "s",
            "Time from a tailnet change to the map message carrying it being written to a client's stream.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
    }

    public Meter Meter { get; }

    public void Registration(string result) => _registrations.Add(1, new KeyValuePair<string, object?>("result", result));

    public void Refused(string reason) => _refusals.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void MapMessage(int bytes)
    {
        _mapMessages.Add(1);
        _mapBytes.Add(bytes);
    }

    /// <summary>Records the latency of a change whose first recording was at <paramref name="changedAt"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void Propagated(long changedAt, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _propagation.Record(time.GetElapsedTime(changedAt).TotalSeconds);
    }

    private static Measurement<long>[] NodesByState(ControlCoordinator coordinator)
    {
        var snapshot = coordinator.Snapshot;
        var now = coordinator.Time.GetUtcNow();
        long online = 0, offline = 0, expired = 0;
        foreach (var entry in snapshot.Nodes.Values)
        {
            if (entry.Record.IsKeyExpired(now))
            {
                expired++;
            }
            else if (entry.Online)
            {
                online++;
            }
            else
            {
                offline++;
            }
        }

        return
        [
            new(online, new KeyValuePair<string, object?>("state", "online")),
            new(offline, new KeyValuePair<string, object?>("state", "offline")),
            new(expired, new KeyValuePair<string, object?>("state", "expired")),
        ];
    }
}
