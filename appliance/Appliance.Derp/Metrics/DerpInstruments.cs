using System.Diagnostics.Metrics;
using Appliance.Derp.Relay;
using Appliance.Derp.Stun;

namespace Appliance.Derp.Metrics;

/// <summary>
/// The relay's and the STUN responder's counters as System.Diagnostics.Metrics instruments on the
/// <see cref="MeterName"/> meter. The hot path keeps its Interlocked fields (<see cref="DerpMetrics"/>,
/// <see cref="StunMetrics"/>); these observable instruments only read them at collection time, so exporting costs the
/// relay nothing. The sources are looked up on every collection because the STUN listener exists only after start.
/// </summary>
public static class DerpInstruments
{
    public const string MeterName = "Appliance.Derp";

    public static Meter Create(IMeterFactory factory, Func<DerpMetrics?> relay, Func<StunMetrics?> stun)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(relay);
        ArgumentNullException.ThrowIfNull(stun);
        var meter = factory.Create(MeterName);

        meter.CreateObservableUpDownCounter(
            "appliance.derp.connections",
            () => Read(relay, m => m.ConnectionsCurrent),
            "{connection}",
            "DERP connections currently open (handshaking and admitted).");
        meter.CreateObservableCounter(
            "appliance.derp.connections.accepted",
            () => Read(relay, m => m.ConnectionsAccepted),
            "{connection}",
            "DERP connections taken in for a handshake.");
        meter.CreateObservableCounter(
            "appliance.derp.connections.refused",
            () => Tagged(relay, "reason",
                ("capacity", m => m.ConnectionsRefusedCapacity),
                ("pending_handshakes", m => m.ConnectionsRefusedPending),
                ("admission", m => m.ConnectionsRefusedAdmission),
                ("handshake", m => m.HandshakeFailures),
                ("protocol", m => m.ProtocolErrors)),
            "{connection}",
            "DERP connections refused or closed, by reason.");
        meter.CreateObservableCounter(
            "appliance.derp.packets",
            () => Read(relay, m => m.PacketsRelayed),
            "{packet}",
            "Packets relayed to a connected peer.");
        meter.CreateObservableCounter(
            "appliance.derp.relayed.bytes",
            () => Read(relay, m => m.BytesRelayed),
            "By",
            "Payload bytes relayed to a connected peer.");
        meter.CreateObservableCounter(
            "appliance.derp.dropped",
            () => Tagged(relay, "reason",
                ("queue_full", m => m.PacketsDroppedQueueFull),
                ("unknown_destination", m => m.PacketsDroppedUnknownDestination),
                ("gone", m => m.PacketsDroppedGone),
                ("control_frame", m => m.ControlFramesDropped)),
            "{packet}",
            "Packets and control frames not delivered, by reason.");
        meter.CreateObservableCounter(
            "appliance.stun.requests",
            () => StunTagged(stun),
            "{request}",
            "STUN datagrams received: answered, or ignored as not a Tailscale binding request.");
        return meter;
    }

    private static Measurement<long>[] Read(Func<DerpMetrics?> relay, Func<DerpMetrics, long> value) =>
        relay() is { } metrics ? [new Measurement<long>(value(metrics))] : [];

    private static Measurement<long>[] Tagged(Func<DerpMetrics?> relay, string tag, params (string Value, Func<DerpMetrics, long> Read)[] series)
    {
        if (relay() is not { } metrics)
        {
            return [];
        }

        return series.Select(s => new Measurement<long>(s.Read(metrics), new KeyValuePair<string, object?>(tag, s.Value))).ToArray();
    }

    private static Measurement<long>[] StunTagged(Func<StunMetrics?> stun)
    {
        if (stun() is not { } metrics)
        {
            return [];
        }

        return
        [
            new Measurement<long>(metrics.Responses, new KeyValuePair<string, object?>("result", "answered")),
            new Measurement<long>(metrics.Ignored, new KeyValuePair<string, object?>("result", "ignored")),
        ];
    }
}
