using System.Diagnostics.Metrics;

namespace Appliance.Hosting.Metrics;

/// <summary>
/// Which instruments this host exports. OpenTelemetry listens to meters by name in the whole process, so two hosts in
/// one process (the in-process tests) would export each other's instruments. Areas create their meters through this
/// host's <see cref="IMeterFactory"/>, whose meters carry it as <see cref="Meter.Scope"/>; meters with that scope are
/// exported, other scoped meters are dropped, and the process-wide meters (no scope: the runtime's, Storage's) are
/// exported by name.
/// </summary>
public sealed class MeterScope
{
    private object? _factory;

    /// <summary>Names of process-wide meters exported as they are.</summary>
    public static IReadOnlyList<string> ProcessWideMeters { get; } = ["System.Runtime", Storage.Database.StorageMetrics.MeterName];

    public void Bind(IMeterFactory factory) => Volatile.Write(ref _factory, factory);

    public bool Exports(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        var scope = instrument.Meter.Scope;
        return scope is null
            ? ProcessWideMeters.Contains(instrument.Meter.Name, StringComparer.Ordinal)
            : ReferenceEquals(scope, Volatile.Read(ref _factory));
    }
}
