namespace Appliance.Hosting.Metrics;

/// <summary>
/// Set on every connection accepted by the metrics listener (a Kestrel connection middleware), so the HTTP pipeline
/// can tell a scrape from a request on another listener whatever port each was bound to (tests bind port 0).
/// </summary>
public sealed class MetricsListenerFeature
{
    public static MetricsListenerFeature Instance { get; } = new();

    private MetricsListenerFeature()
    {
    }
}
