using Appliance.Hosting.Health;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Startup;

/// <summary>
/// Its StartedAsync runs after every hosted service has started, the web server included (so Kestrel has bound
/// every listener), and before ApplicationStarted fires: it restricts the admin socket to 0600 and marks the
/// process ready. systemd's READY=1 is sent on ApplicationStarted, so it always follows. On stop it flips
/// readiness to Stopping before connections are closed.
/// </summary>
internal sealed partial class ListenersReadyService(
    ApplianceState state,
    ReadinessState readiness,
    IHostApplicationLifetime lifetime,
    ILogger<ListenersReadyService> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        AdminSocket.Restrict(state.Paths.AdminSocket);
        lifetime.ApplicationStopping.Register(() =>
        {
            readiness.MarkStopping();
            LogStopping(logger);
        });
        readiness.MarkReady();
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Stopping: no longer ready, closing connections")]
    private static partial void LogStopping(ILogger logger);
}
