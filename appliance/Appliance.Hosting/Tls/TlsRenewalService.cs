using Microsoft.Extensions.Hosting;

namespace Appliance.Hosting.Tls;

/// <summary>
/// The renewal loop: every <see cref="ApplianceTlsOptions.CheckInterval"/> of <see cref="TimeProvider"/> time it
/// calls <see cref="TlsCertificateStore.Check"/>. Driven by the injected TimeProvider, so tests advance virtual time
/// past the renewal point instead of waiting 20 days.
/// </summary>
public sealed class TlsRenewalService(TlsCertificateStore store) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(store.Options.CheckInterval, store.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                store.Check();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }
}
