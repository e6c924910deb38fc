using Appliance.Hosting.Metrics;
using Appliance.Hosting.Identity.Login;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Identity;

public static class IdentityServiceCollectionExtensions
{
    /// <summary>The identity file service (hosted, before the policy's), the state seam, and the login page's helpers.</summary>
    public static IServiceCollection AddIdentityFile(this IServiceCollection services)
    {
        services.AddSingleton<IIdentityStateWriter>(sp => new CoordinatorIdentityStateWriter(
            sp.GetRequiredService<IdentityService>(), sp.GetRequiredService<ControlCoordinator>()));
        services.AddSingleton<IdentityFileService>();
        services.AddHostedService(sp => sp.GetRequiredService<IdentityFileService>());
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<LoginCsrf>();
        services.AddMetrics();
        services.AddSingleton<LoginMetrics>();
        services.AddInstrumentSource<LoginMetrics>();
        services.AddSingleton<TotpReplayGuard>();
        services.AddSingleton<SiteClientTrustSource>();
        return services;
    }
}
