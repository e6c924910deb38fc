using Appliance.Hosting.Policy;
using Appliance.State;
using Appliance.State.Cluster;
using Appliance.State.Coordinator;
using Appliance.Storage.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Cluster;

/// <summary>
/// Several appliances on one PostgreSQL database (docs/ops/ha.md): runs State's <see cref="ClusterSync"/> for the
/// life of `serve`, started after the coordinator has loaded the tailnet and the policy service its policy, and
/// reloads the policy when another instance stored a new version. Registered only with `database.type: postgres`.
/// </summary>
internal sealed class ClusterSyncService(ClusterSync sync, PolicyService policy) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        sync.PolicyChanged += () => policy.Reload("another instance");
        sync.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await sync.DisposeAsync().ConfigureAwait(false);
}

internal static class ClusterRegistration
{
    /// <summary>Adds the cluster sync; call after AddControl and AddPolicy (hosted services start in registration order).</summary>
    public static IServiceCollection AddClusterSync(this IServiceCollection services)
    {
        services.AddSingleton(sp => ClusterSync.Attach(
            sp.GetRequiredService<ControlCoordinator>(),
            sp.GetRequiredService<ApplianceDatabase>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(StateEvents.Category))
            ?? throw new InvalidOperationException("the cluster sync needs a PostgreSQL database"));
        services.AddHostedService<ClusterSyncService>();
        return services;
    }
}
