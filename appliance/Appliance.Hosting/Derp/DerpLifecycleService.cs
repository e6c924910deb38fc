using Appliance.Derp.Relay;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Derp;

/// <summary>
/// Sends Restarting to every DERP client when the host stops, before Kestrel closes the connections, so clients
/// reconnect promptly to the restarted appliance instead of waiting for their read timeout.
/// </summary>
internal sealed class DerpLifecycleService(DerpServer server, ILogger<DerpLifecycleService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var shortKey = server.PublicKey.ShortString();
        DerpLog.Ready(logger, shortKey);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        DerpLog.Stopping(logger, server.Metrics.ConnectionsCurrent);
        return server.ShutdownAsync(cancellationToken);
    }
}
