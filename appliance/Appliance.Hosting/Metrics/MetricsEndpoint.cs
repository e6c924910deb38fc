using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Appliance.Hosting.Metrics;

/// <summary>The metrics listener's address once Kestrel has bound it (the real port when `metrics.listen` has port 0).</summary>
public sealed class MetricsEndpoint
{
    private ListenOptions? _listen;

    /// <summary>The bound address, or null when metrics are off or the host has not started.</summary>
    public IPEndPoint? Bound => _listen?.IPEndPoint is { Port: not 0 } bound ? bound : null;

    /// <summary>http://IP:PORT/metrics, or null.</summary>
    public Uri? Url => Bound is { } bound ? new Uri($"http://{bound}{MetricsHostingExtensions.Path}") : null;

    internal void Set(ListenOptions listen) => _listen = listen;
}
