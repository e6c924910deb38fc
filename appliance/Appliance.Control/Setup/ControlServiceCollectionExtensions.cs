using Appliance.Control.Memory;
using Appliance.Control.Metrics;
using Appliance.State;
using Appliance.State.Commands;
using Appliance.State.Coordinator;
using Appliance.State.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Control.Setup;

/// <summary>
/// Registers the control plane. Hosting calls <c>services.AddControl(options)</c> and then
/// <c>app.MapControlEndpoints()</c> on the endpoints served inside Noise sessions.
/// The host registers where the tailnet is kept first: <see cref="INodeRepository"/>, <see cref="IUserDirectory"/>
/// and <see cref="IPreAuthKeyAuthority"/> (Hosting's <c>AddTailnetRepositories</c> builds State's over the database;
/// tests may use State's in-memory ones). Control has no default for them because it does not reference Storage
/// (issue 12: only State and the composition points do). Defaults for the rest (each replaceable by registering the
/// interface first): allow-all packet filter, an empty DERP map, <see cref="TimeProvider.System"/>.
/// </summary>
public static class ControlServiceCollectionExtensions
{
    public static IServiceCollection AddControl(this IServiceCollection services, CoordinatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid control options: " + string.Join(" ", errors), nameof(options));
        }

        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IPacketFilterProvider, AllowAllPacketFilter>();
        services.TryAddSingleton<IDerpMapProvider>(StaticDerpMapProvider.Empty);
        services.TryAddSingleton(sp => new ControlCoordinator(
            options,
            sp.GetRequiredService<INodeRepository>(),
            sp.GetRequiredService<IUserDirectory>(),
            sp.GetRequiredService<IPreAuthKeyAuthority>(),
            sp.GetRequiredService<IDerpMapProvider>(),
            sp.GetRequiredService<IPacketFilterProvider>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger(StateEvents.Category),
            // Waiting interactive logins in the database (shared by every appliance on it, docs/ops/ha.md; the
            // composition root registers them with the other repositories); in memory only for hosts without one.
            sp.GetService<IPendingLoginRepository>()));
        services.TryAddSingleton<ITailnetWriter>(sp => sp.GetRequiredService<ControlCoordinator>());
        services.TryAddSingleton<INodePresence>(sp => sp.GetRequiredService<ControlCoordinator>());
        services.TryAddSingleton<IRegistrationApprovals>(sp => sp.GetRequiredService<ControlCoordinator>());
        services.AddMetrics();
        services.TryAddSingleton(sp => new ControlMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<ControlCoordinator>()));
        services.AddHostedService<ControlCoordinatorService>();
        services.AddHostedService<MapFramePoolTrimmer>();
        return services;
    }
}

/// <summary>Loads the tailnet at startup and stops the heartbeat and every stream at shutdown.</summary>
internal sealed class ControlCoordinatorService(ControlCoordinator coordinator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        coordinator.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        coordinator.Dispose();
        return Task.CompletedTask;
    }
}
