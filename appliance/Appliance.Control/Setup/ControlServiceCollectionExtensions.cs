using Appliance.Control.Metrics;
using Appliance.State;
using Appliance.State.Commands;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.State.Nodes;
using Appliance.Storage.Database;
using Appliance.Storage.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Control.Setup;

/// <summary>
/// Registers the control plane. Hosting calls <c>services.AddControl(options)</c> and then
/// <c>app.MapControlEndpoints()</c> on the endpoints served inside Noise sessions.
/// Defaults (each replaceable by registering the interface first): SQLite nodes and users through the
/// <see cref="ApplianceDatabase"/> singleton, pre-auth keys through <see cref="IdentityService"/>, allow-all
/// packet filter, an empty DERP map, <see cref="TimeProvider.System"/>.
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
        services.TryAddSingleton<INodeRepository>(sp => new SqliteNodeRepository(sp.GetRequiredService<ApplianceDatabase>()));
        services.TryAddSingleton<IUserDirectory>(sp => new SqliteUserDirectory(sp.GetRequiredService<ApplianceDatabase>()));
        // An IdentityService of its own: the admin API's writes through this coordinator, so sharing it would be a cycle.
        services.TryAddSingleton<IPreAuthKeyAuthority>(sp => new IdentityPreAuthKeyAuthority(
            new IdentityService(sp.GetRequiredService<ApplianceDatabase>(), sp.GetRequiredService<TimeProvider>())));
        services.TryAddSingleton(sp => new ControlCoordinator(
            options,
            sp.GetRequiredService<INodeRepository>(),
            sp.GetRequiredService<IUserDirectory>(),
            sp.GetRequiredService<IPreAuthKeyAuthority>(),
            sp.GetRequiredService<IDerpMapProvider>(),
            sp.GetRequiredService<IPacketFilterProvider>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger(StateEvents.Category),
            // Waiting interactive logins in the database (shared by every appliance on it, docs/ops/ha.md); in memory
            // only for hosts built without one (tests that bring their own repositories).
            sp.GetService<IPendingLoginRepository>() ?? (sp.GetService<ApplianceDatabase>() is { } database ? new StoredPendingLogins(database) : null)));
        services.TryAddSingleton<ITailnetWriter>(sp => sp.GetRequiredService<ControlCoordinator>());
        services.TryAddSingleton<INodePresence>(sp => sp.GetRequiredService<ControlCoordinator>());
        services.TryAddSingleton<IRegistrationApprovals>(sp => sp.GetRequiredService<ControlCoordinator>());
        services.AddMetrics();
        services.TryAddSingleton(sp => new ControlMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<ControlCoordinator>()));
        services.AddHostedService<ControlCoordinatorService>();
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
