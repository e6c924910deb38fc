namespace Appliance.Hosting.Configuration;

/// <summary>The `metrics:` section: the Prometheus scrape endpoint on a listener of its own.</summary>
public sealed class MetricsOptions
{
    /// <summary>Serve `/metrics` on <see cref="Listen"/>. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where `/metrics` is served, and nothing else. Loopback by default. Default 127.0.0.1:9464 (OpenTelemetry's Prometheus port).</summary>
    public string Listen { get; set; } = "127.0.0.1:9464";
}
