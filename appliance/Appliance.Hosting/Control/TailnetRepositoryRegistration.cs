using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.Storage.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Appliance.Hosting.Control;

/// <summary>
/// State's repositories over the opened database (the <see cref="ApplianceDatabase"/> singleton), for the coordinator
/// that <c>AddControl</c> builds. The composition root does this, not Control: Control serves the ts2021 handlers
/// and never names a Storage type (tests/Appliance.ArchitectureTests, issue 12). Each is a TryAdd, so a host that
/// registered its own repository first (a test's in-memory one) keeps it.
/// </summary>
public static class TailnetRepositoryRegistration
{
    public static IServiceCollection AddTailnetRepositories(this IServiceCollection services)
    {
        services.TryAddSingleton<INodeRepository>(sp => new SqliteNodeRepository(sp.GetRequiredService<ApplianceDatabase>()));
        services.TryAddSingleton<IUserDirectory>(sp => new SqliteUserDirectory(sp.GetRequiredService<ApplianceDatabase>()));

        // Waiting interactive logins, shared by every appliance on one database (docs/ops/ha.md).
        services.TryAddSingleton<IPendingLoginRepository>(sp => new StoredPendingLogins(sp.GetRequiredService<ApplianceDatabase>()));

        // The coordinator consumes pre-auth keys through an IdentityService of its own: the admin API's
        // IdentityService writes through the coordinator (its ITailnetWriter), so sharing it would be a cycle.
        services.TryAddSingleton<IPreAuthKeyAuthority>(sp => new IdentityPreAuthKeyAuthority(
            new IdentityService(sp.GetRequiredService<ApplianceDatabase>(), sp.GetRequiredService<TimeProvider>())));
        return services;
    }
}
