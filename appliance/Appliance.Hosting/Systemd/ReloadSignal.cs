using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Systemd;

/// <summary>
/// SIGHUP (`systemctl reload appliance`, the unit's ExecReload) means "re-read what can change at run time".
/// Without a handler the kernel's default action for SIGHUP would end the process, so this catches it and raises
/// <see cref="Requested"/>; areas that can reload (policy file, certificate files) subscribe to it.
/// </summary>
public sealed partial class ReloadSignal(ILogger<ReloadSignal> logger) : IHostedService, IDisposable
{
    private PosixSignalRegistration? _registration;

    /// <summary>Raised on the signal thread; handlers must be quick and must not throw.</summary>
    public event EventHandler? Requested;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                Request();
            });
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>What SIGHUP does: logs and raises <see cref="Requested"/>. Tests call it instead of signalling the test process.</summary>
    public void Request()
    {
        LogReload(logger);
        Requested?.Invoke(this, EventArgs.Empty);
    }

    public void Dispose() => _registration?.Dispose();

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "SIGHUP: reload requested")]
    private static partial void LogReload(ILogger logger);
}
