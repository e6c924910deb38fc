using Appliance.Control.Noise;
using Appliance.Hosting.Configuration;
using Appliance.State.Cluster;
using Appliance.Storage.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Cluster;

/// <summary>Runs the <see cref="ClusterSettingsCheck"/> at start (after the cluster sync holds this instance's lease) and every housekeeping interval.</summary>
internal sealed class ClusterSettingsService(ClusterSettingsCheck check, TimeProvider time) : IHostedService, IDisposable
{
    private ITimer? _timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        check.Run();
        _timer = time.CreateTimer(_ => check.Run(), null, ClusterSync.HousekeepingInterval, ClusterSync.HousekeepingInterval);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_timer is { } timer)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }

        check.Leave();
    }

    public void Dispose() => _timer?.Dispose();
}

internal static class ClusterSettingsRegistration
{
    /// <summary>Adds the settings check; call after AddClusterSync (hosted services start in registration order).</summary>
    public static IServiceCollection AddClusterSettingsCheck(this IServiceCollection services, ApplianceOptions options)
    {
        services.AddSingleton(sp => new ClusterSettingsCheck(
            new InstanceSettings(sp.GetRequiredService<ApplianceDatabase>()),
            () => ClusterSettingsFingerprint.Compute(options, sp.GetRequiredService<NoiseServerKey>().Public.ToString()),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<ClusterSettingsCheck>()));
        services.AddHostedService<ClusterSettingsService>();
        return services;
    }
}
