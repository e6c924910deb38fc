using System.Diagnostics.Metrics;

namespace Appliance.Hosting.Derp;

/// <summary>Holds the Appliance.Derp meter for the host's lifetime; resolved by the metrics area so its instruments exist before the first scrape.</summary>
public sealed class DerpMeter(Meter meter)
{
    public Meter Meter { get; } = meter;
}
