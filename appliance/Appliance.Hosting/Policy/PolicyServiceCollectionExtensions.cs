using Appliance.Hosting.Configuration;
using Appliance.Hosting.Systemd;
using Appliance.State.Coordinator;
using Appliance.State.Policy;
using Appliance.Storage.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Policy;

/// <summary>
/// Registers <see cref="PolicyService"/>: it loads the policy into the coordinator at start (after the coordinator
/// has loaded the tailnet, so call this after AddControl), reloads it on SIGHUP and file changes, and answers the
/// admin API's policy routes.
/// </summary>
public static class PolicyServiceCollectionExtensions
{
    public static IServiceCollection AddPolicy(this IServiceCollection services)
    {
        services.AddSingleton(sp => new PolicyService(
            sp.GetRequiredService<ControlCoordinator>(),
            new PolicyVersions(
                sp.GetRequiredService<ApplianceDatabase>(), sp.GetRequiredService<ControlCoordinator>(), sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<PolicyOptions>(),
            sp.GetRequiredService<AppliancePaths>(),
            sp.GetRequiredService<ReloadSignal>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PolicyService>>())
        {
            Audit = sp.GetService<Audit.AuditTrail>(),
        });
        services.AddSingleton<IPolicyAdministration>(sp => sp.GetRequiredService<PolicyService>());
        services.AddHostedService(sp => sp.GetRequiredService<PolicyService>());
        return services;
    }
}
