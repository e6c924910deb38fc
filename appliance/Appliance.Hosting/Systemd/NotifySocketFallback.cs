using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Appliance.Hosting.Systemd;

/// <summary>
/// `UseSystemd()` only notifies when the parent process is systemd. When NOTIFY_SOCKET is set by anything else (a
/// wrapper script, a supervisor, the readiness test), this sends the same READY=1 on ApplicationStarted and
/// STOPPING=1 on ApplicationStopping, so readiness never depends on who started the process.
/// </summary>
internal sealed class NotifySocketFallback(IHostApplicationLifetime lifetime) : IHostedService
{
    public static bool IsNeeded =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")) && !SystemdHelpers.IsSystemdService();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var notifier = new SystemdNotifier();
        if (notifier.IsEnabled)
        {
            lifetime.ApplicationStarted.Register(() => notifier.Notify(ServiceState.Ready));
            lifetime.ApplicationStopping.Register(() => notifier.Notify(ServiceState.Stopping));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
