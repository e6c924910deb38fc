using Appliance.Derp.Relay;
using Appliance.Protocol.Keys;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Derp;

/// <summary>
/// Sends Restarting to every DERP client when the host stops, so clients reconnect promptly to the restarted appliance
/// instead of waiting for their read timeout. It runs in StoppingAsync, which the host calls before any StopAsync,
/// so Kestrel is still serving the upgraded connections.
/// </summary>
internal sealed class DerpLifecycleService(DerpServer server, ILogger<DerpLifecycleService> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        DerpLog.Stopping(logger, server.Metrics.ConnectionsCurrent);
        return server.ShutdownAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var shortKey = server.PublicKey.ShortString();
        DerpLog.Ready(logger, shortKey);
        return Task.CompletedTask;
    }

    /// <summary>Already stopped in StoppingAsync; a second call is a no-op.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => server.ShutdownAsync(cancellationToken);
}
